package dev.tollgate.metering;

import java.util.List;

/**
 * Where usage records are stored: PostgreSQL, the system of record ({@link UsageWriter}), or the disk spool that holds
 * them while it is away ({@link UsageSpool}). Storing a record a sink already holds changes nothing, so a batch that
 * failed may be written again.
 */
public interface UsageSink {

    /** Stores every record or none of them. */
    void write(List<UsageRecord> records) throws UsageSinkException;
}
