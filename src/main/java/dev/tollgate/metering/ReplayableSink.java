package dev.tollgate.metering;

import java.util.List;

/**
 * A sink that keeps records only until they are stored elsewhere: it hands them back oldest first, a part at a time,
 * and forgets a part once that part is released.
 */
public interface ReplayableSink extends UsageSink {

    boolean isEmpty();

    /** Records held. */
    long size();

    /** The oldest part held; no records when none is. */
    Held oldest() throws UsageSinkException;

    /** Records held together, handed back together. */
    interface Held {

        List<UsageRecord> records();

        /** Where they were held, for the log. */
        String origin();

        /** Forgets the records: they are stored elsewhere now. */
        void release() throws UsageSinkException;
    }
}
