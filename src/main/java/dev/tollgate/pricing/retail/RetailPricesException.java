package dev.tollgate.pricing.retail;

import java.util.OptionalInt;

/**
 * The Retail Prices API could not be read: unreachable, a non-2xx answer, a body that is not a page of prices, or a
 * NextPageLink that cannot be followed. Nothing is imported when it is thrown; the message says which page and why,
 * and holds no secret (the API takes none).
 */
public class RetailPricesException extends RuntimeException {

    private final int page;
    private final Integer upstreamStatus;

    public RetailPricesException(int page, Integer upstreamStatus, String message, Throwable cause) {
        super(message, cause);
        this.page = page;
        this.upstreamStatus = upstreamStatus;
    }

    /** The page being read when it failed, from 1. */
    public int page() {
        return page;
    }

    /** The HTTP status the API answered with, when it answered with one that is not 2xx. */
    public OptionalInt upstreamStatus() {
        return upstreamStatus == null ? OptionalInt.empty() : OptionalInt.of(upstreamStatus);
    }
}
