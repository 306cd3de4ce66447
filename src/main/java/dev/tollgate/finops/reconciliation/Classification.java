package dev.tollgate.finops.reconciliation;

import com.fasterxml.jackson.annotation.JsonValue;

/** What a line of the reconciliation says about the bill. */
public enum Classification {
    /** Azure billed the tokens Tollgate metered, at Tollgate's price, within the tolerances. */
    MATCHED("matched"),
    /** Azure billed more than passed through Tollgate: something calls the resource directly (or a meter Tollgate does not meter). */
    UNMETERED_USAGE("unmetered_usage"),
    /** The same tokens at a different cost: the price catalog is wrong (or has no price) for them. */
    PRICE_MISMATCH("price_mismatch"),
    /** A resource no backend is configured with: none of its usage passed through Tollgate. */
    UNKNOWN_RESOURCE("unknown_resource"),
    /** Tollgate metered more than Azure billed: the export lags, or ends before the month does. */
    NOT_BILLED("not_billed");

    private final String key;

    Classification(String key) {
        this.key = key;
    }

    /** As written in JSON and CSV. */
    @JsonValue
    public String key() {
        return key;
    }
}
