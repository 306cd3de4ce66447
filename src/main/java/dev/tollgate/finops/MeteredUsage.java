package dev.tollgate.finops;

import dev.tollgate.pricing.retail.MeterNames.Component;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Optional;

/**
 * The tokens Tollgate metered on one UTC day for one app (or all apps), backend, served model and price row, split
 * into the classes Azure bills apart.
 *
 * @param app            empty when summed over apps
 * @param backendId      '' when the records name none
 * @param model          the served model; empty when the records name none
 * @param deploymentType as recorded ({@code global}, {@code data-zone}, {@code regional}); '' when unknown
 * @param region         the backend's region as recorded; '' when unknown
 * @param price          the catalog row that priced them; empty: unpriced (no row was in force)
 * @param uncachedInput  input tokens not served from the prompt cache
 * @param cachedInput    input tokens served from the prompt cache (never more than the input, as priced)
 * @param output         output tokens, reasoning included
 * @param reasoning      the reasoning part of {@code output}
 */
public record MeteredUsage(LocalDate day, Optional<AppOwner> app, String backendId, Optional<String> model,
                           String deploymentType, String region, Optional<AppliedPrice> price, long uncachedInput,
                           long cachedInput, long output, long reasoning) {

    /** Who an app is in the registry, as it is now. */
    public record AppOwner(String appId, String name, String businessUnit, String costCenter) {
    }

    public long tokens(Component tokenClass) {
        return switch (tokenClass) {
            case INPUT -> uncachedInput;
            case CACHED_INPUT -> cachedInput;
            case OUTPUT -> output;
        };
    }

    public long totalTokens() {
        return uncachedInput + cachedInput + output;
    }

    /** The exact cost of that class of tokens at the row that priced them; empty when unpriced. */
    public Optional<BigDecimal> cost(Component tokenClass) {
        return price.map(p -> p.per1m(tokenClass).multiply(BigDecimal.valueOf(tokens(tokenClass))).movePointLeft(6));
    }
}
