package dev.tollgate.metering;

import java.util.List;

/**
 * Where usage records are stored: PostgreSQL, the system of record ({@link UsageWriter}). Storing a record the sink
 * already holds changes nothing, so a batch that failed, or a journal segment replayed twice, may be written again.
 */
public interface UsageSink {

    /** Stores every record or none of them. */
    void write(List<UsageRecord> records) throws UsageSinkException;
}
