package dev.tollgate.metering;

/** Where a record's token counts come from. */
public enum UsageSource {
    /** The upstream's own {@code usage} block. */
    REPORTED,
    /** Counted by the gateway because the upstream reported nothing (broken stream, client gone). */
    ESTIMATED,
    /** A successful answer whose usage could not be known; recorded so that it is seen, never dropped. */
    MISSING,
    /** The upstream answered an error (4xx/5xx) or was never reached: nothing was consumed. */
    NONE,
    /**
     * Sent to a backend, but the gateway stopped (crash, SIGKILL, out of memory) before it knew how it ended: made at the
     * next start from the journal's entry, with the prompt's estimated tokens and no output.
     */
    INTERRUPTED;

    private final String dbValue = name().toLowerCase(java.util.Locale.ROOT);

    public String dbValue() {
        return dbValue;
    }
}
