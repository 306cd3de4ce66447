package dev.tollgate.pricing;

import java.time.Instant;

/** A stored price catalog row: its id (recorded with every usage record it priced) and its content. */
public record Price(long id, PriceRow row) {

    /** Whether the row is in force at that instant: from inclusive, to exclusive. */
    boolean inForceAt(Instant at) {
        return !at.isBefore(row.effectiveFrom()) && row.effectiveTo().map(at::isBefore).orElse(true);
    }
}
