package dev.tollgate.admission.engine;

/**
 * A rolling minute of tokens and requests in one-second slots: this replica's own counts, and the sums of every other
 * replica's as last read from PostgreSQL. The minute at second {@code s} holds the slots {@code s-59 … s}; a slot's
 * counts leave it when second {@code slot + 60} begins, which is what an honest Retry-After waits for. Not
 * thread-safe: its {@link Tally} guards it.
 */
public final class RateWindow {

    static final int SLOTS = 60;

    /** Every other replica's sums per second, as of the last exchange. */
    public record Others(long[] seconds, long[] tokens, long[] requests) {
        public static final Others NONE = new Others(new long[0], new long[0], new long[0]);
    }

    private final long[] seconds = new long[SLOTS];
    private final long[] tokens = new long[SLOTS];
    private final long[] requests = new long[SLOTS];
    private final boolean[] dirty = new boolean[SLOTS];
    private Others others = Others.NONE;

    void add(long second, long tokenCount, long requestCount) {
        int slot = slot(second);
        if (seconds[slot] != second) {
            seconds[slot] = second;
            tokens[slot] = 0;
            requests[slot] = 0;
        }
        tokens[slot] += tokenCount;
        requests[slot] += requestCount;
        dirty[slot] = true;
    }

    /** Corrects a slot's counts (real usage, a reservation taken back) if it is still in the window; never below 0. */
    void correct(long second, long tokenDelta, long requestDelta) {
        int slot = slot(second);
        if (seconds[slot] == second && (tokenDelta != 0 || requestDelta != 0)) {
            tokens[slot] = Math.max(0, tokens[slot] + tokenDelta);
            requests[slot] = Math.max(0, requests[slot] + requestDelta);
            dirty[slot] = true;
        }
    }

    long tokens(long now) {
        return sum(now, tokens, others.tokens());
    }

    long requests(long now) {
        return sum(now, requests, others.requests());
    }

    /**
     * Milliseconds from {@code nowMillis} until at least {@code excess} more tokens (or requests) have left the
     * window, or -1 if everything in it leaving is not enough.
     */
    long millisUntilFreed(long nowMillis, long excess, boolean ofTokens) {
        long now = Math.floorDiv(nowMillis, 1000);
        long freed = 0;
        for (long second = now - SLOTS + 1; second <= now; second++) {
            freed += at(second, ofTokens ? tokens : requests, ofTokens ? others.tokens() : others.requests());
            if (freed >= excess) {
                return Math.max(1, (second + SLOTS) * 1000 - nowMillis);
            }
        }
        return -1;
    }

    void others(Others latest) {
        others = latest;
    }

    /** Visits this replica's slots in the minute of {@code now} that changed since the last visit (all if asked). */
    void drain(long now, boolean all, SlotVisitor visitor) {
        for (int slot = 0; slot < SLOTS; slot++) {
            if ((dirty[slot] || all) && seconds[slot] > now - SLOTS) {
                visitor.slot(seconds[slot], tokens[slot], requests[slot]);
            }
            dirty[slot] = false;
        }
    }

    boolean idle(long now) {
        for (int slot = 0; slot < SLOTS; slot++) {
            if (seconds[slot] > now - SLOTS && (tokens[slot] > 0 || requests[slot] > 0)) {
                return false;
            }
        }
        return others.seconds().length == 0;
    }

    interface SlotVisitor {
        void slot(long second, long tokens, long requests);
    }

    private long sum(long now, long[] own, long[] theirs) {
        long total = 0;
        for (int slot = 0; slot < SLOTS; slot++) {
            if (seconds[slot] > now - SLOTS && seconds[slot] <= now) {
                total += own[slot];
            }
        }
        long[] otherSeconds = others.seconds();
        for (int i = 0; i < otherSeconds.length; i++) {
            if (otherSeconds[i] > now - SLOTS) { // a replica whose clock runs ahead counts all the same
                total += theirs[i];
            }
        }
        return total;
    }

    private long at(long second, long[] own, long[] theirs) {
        int slot = slot(second);
        long total = seconds[slot] == second ? own[slot] : 0;
        long[] otherSeconds = others.seconds();
        for (int i = 0; i < otherSeconds.length; i++) {
            if (otherSeconds[i] == second) {
                total += theirs[i];
            }
        }
        return total;
    }

    private static int slot(long second) {
        return (int) Math.floorMod(second, SLOTS);
    }
}
