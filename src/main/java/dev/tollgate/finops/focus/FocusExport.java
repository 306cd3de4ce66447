package dev.tollgate.finops.focus;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The FOCUS dataset of a period: the charges of every {@link ChargeSource}, ordered by charge period. */
@ApplicationScoped
public class FocusExport {

    private final Instance<ChargeSource> sources;

    public FocusExport(Instance<ChargeSource> sources) {
        this.sources = sources;
    }

    /** The charges of the UTC days [from, to). */
    public Charges of(LocalDate from, LocalDate to) throws SQLException {
        List<FocusRow> rows = new ArrayList<>();
        long unpriced = 0;
        for (ChargeSource source : sources) {
            Charges charges = source.charges(from, to);
            rows.addAll(charges.rows());
            unpriced += charges.unpricedTokens();
        }
        rows.sort(Comparator.comparing(row -> (Instant) row.get(FocusColumn.CHARGE_PERIOD_START)));
        return new Charges(rows, unpriced);
    }
}
