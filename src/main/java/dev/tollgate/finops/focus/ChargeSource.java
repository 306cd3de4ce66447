package dev.tollgate.finops.focus;

import java.sql.SQLException;
import java.time.LocalDate;

/**
 * A kind of charge the FOCUS export lists: pay-as-you-go tokens ({@link TokenCharges}) and provisioned capacity
 * allocated to the apps that used it, idle included ({@link CapacityCharges}). The export lists the charges of every
 * source.
 */
public interface ChargeSource {

    /** The charges of the UTC days [from, to). */
    Charges charges(LocalDate from, LocalDate to) throws SQLException;
}
