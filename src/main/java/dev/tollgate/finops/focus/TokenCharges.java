package dev.tollgate.finops.focus;

import dev.tollgate.finops.AppliedPrice;
import dev.tollgate.finops.BackendResources;
import dev.tollgate.finops.FinOpsConfig;
import dev.tollgate.finops.MeteredTokens;
import dev.tollgate.finops.MeteredUsage;
import dev.tollgate.pricing.retail.MeterNames.Component;
import dev.tollgate.routing.DeploymentType;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Pay-as-you-go token charges: per UTC day, app, backend, served model, price row and token class (input, cached
 * input, output; reasoning tokens are part of the output and given apart in {@code x_ReasoningTokens}). The price is
 * the catalog's, per 1M tokens, so a row's cost is its unit price times its quantity in millions of tokens, exactly
 * the sum of its records' costs. Tollgate knows one price per token, so the list, contracted, billed and effective
 * figures are the same.
 */
@ApplicationScoped
public class TokenCharges implements ChargeSource {

    static final String PRICING_UNIT = "1000000 Tokens";
    private static final Set<String> PROVISIONED = Arrays.stream(DeploymentType.values())
            .filter(DeploymentType::provisioned).map(DeploymentType::key).collect(Collectors.toSet());

    private final MeteredTokens metered;
    private final BackendResources resources;
    private final FinOpsConfig.Focus config;

    public TokenCharges(MeteredTokens metered, BackendResources resources, FinOpsConfig config) {
        this.metered = metered;
        this.resources = resources;
        this.config = config.focus();
    }

    @Override
    public Charges charges(LocalDate from, LocalDate to) throws SQLException {
        Map<String, String> resourceIds = resources.byBackend();
        List<FocusRow> rows = new ArrayList<>();
        long unpriced = 0;
        for (MeteredUsage usage : metered.between(from, to, true)) {
            if (PROVISIONED.contains(usage.deploymentType())) {
                continue; // no per-token price: their capacity's cost is allocated (CapacityCharges)
            }
            if (usage.price().isEmpty()) {
                unpriced += usage.totalTokens();
                continue;
            }
            for (Component tokenClass : Component.values()) {
                if (usage.tokens(tokenClass) > 0) {
                    rows.add(row(usage, usage.price().get(), tokenClass, resourceIds.get(usage.backendId())));
                }
            }
        }
        return new Charges(rows, unpriced);
    }

    private FocusRow row(MeteredUsage usage, AppliedPrice price, Component tokenClass, String resourceId) {
        BigDecimal unitPrice = price.per1m(tokenClass);
        long tokens = usage.tokens(tokenClass);
        BigDecimal quantity = BigDecimal.valueOf(tokens).movePointLeft(6);
        BigDecimal cost = unitPrice.multiply(quantity);
        String model = usage.model().orElse(price.model());
        String region = usage.region().isEmpty() ? null : usage.region();
        return DailyCharge.app(DailyCharge.of(config, price.currency(), usage.day(), resourceId), usage.app().orElseThrow())
                .decimal(FocusColumn.BILLED_COST, cost)
                .decimal(FocusColumn.EFFECTIVE_COST, cost)
                .decimal(FocusColumn.LIST_COST, cost)
                .decimal(FocusColumn.CONTRACTED_COST, cost)
                .decimal(FocusColumn.LIST_UNIT_PRICE, unitPrice)
                .decimal(FocusColumn.CONTRACTED_UNIT_PRICE, unitPrice)
                .decimal(FocusColumn.PRICING_QUANTITY, quantity)
                .text(FocusColumn.PRICING_UNIT, PRICING_UNIT)
                .decimal(FocusColumn.CONSUMED_QUANTITY, BigDecimal.valueOf(tokens))
                .text(FocusColumn.CONSUMED_UNIT, "Tokens")
                .text(FocusColumn.PRICING_CATEGORY, "Standard")
                .text(FocusColumn.CHARGE_DESCRIPTION, model + " " + tokenClass.label + " tokens, "
                        + usage.deploymentType() + " deployment, at " + unitPrice.toPlainString() + " "
                        + price.currency() + " per 1M tokens")
                .text(FocusColumn.REGION_ID, region)
                .text(FocusColumn.REGION_NAME, region)
                .text(FocusColumn.SKU_ID, model + "/" + usage.deploymentType() + "/" + key(tokenClass))
                .text(FocusColumn.SKU_METER, model + " " + tokenClass.label + " tokens")
                .text(FocusColumn.SKU_PRICE_ID, "tollgate-price-" + price.id() + "/" + key(tokenClass))
                .text(FocusColumn.X_BACKEND_ID, usage.backendId().isEmpty() ? null : usage.backendId())
                .text(FocusColumn.X_MODEL, model)
                .text(FocusColumn.X_DEPLOYMENT_TYPE, usage.deploymentType())
                .text(FocusColumn.X_TOKEN_CLASS, tokenClass.label)
                .decimal(FocusColumn.X_REASONING_TOKENS, tokenClass == Component.OUTPUT
                        ? BigDecimal.valueOf(usage.reasoning()) : null)
                .text(FocusColumn.X_PRICE_ID, String.valueOf(price.id()));
    }

    /** A token class in an identifier: input, cached-input, output. */
    private static String key(Component tokenClass) {
        return tokenClass.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
