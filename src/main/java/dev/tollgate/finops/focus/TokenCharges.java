package dev.tollgate.finops.focus;

import dev.tollgate.finops.AppliedPrice;
import dev.tollgate.finops.BackendResources;
import dev.tollgate.finops.FinOpsConfig;
import dev.tollgate.finops.MeteredTokens;
import dev.tollgate.finops.MeteredUsage;
import dev.tollgate.pricing.retail.MeterNames.Component;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Pay-as-you-go token charges: per UTC day, app, backend, served model, price row and token class (input, cached
 * input, output; reasoning tokens are part of the output and given apart in {@code x_ReasoningTokens}). The price is
 * the catalog's, per 1M tokens, so a row's cost is its unit price times its quantity in millions of tokens, exactly
 * the sum of its records' costs. Tollgate knows one price per token, so the list, contracted, billed and effective
 * figures are the same.
 */
@ApplicationScoped
public class TokenCharges implements ChargeSource {

    static final String SERVICE_NAME = "Azure OpenAI";
    static final String PRICING_UNIT = "1000000 Tokens";
    /** Tags are Tollgate's own: provider-defined, so under a prefix of its own, as FOCUS requires. */
    static final String TAG_PREFIX = "tollgate/";

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
        Instant dayStart = usage.day().atStartOfDay().toInstant(ZoneOffset.UTC);
        LocalDate month = usage.day().withDayOfMonth(1);
        MeteredUsage.AppOwner app = usage.app().orElseThrow();
        String region = usage.region().isEmpty() ? null : usage.region();

        FocusRow row = new FocusRow()
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
                .text(FocusColumn.BILLING_CURRENCY, price.currency())
                .text(FocusColumn.BILLING_ACCOUNT_ID, config.billingAccountId())
                .text(FocusColumn.BILLING_ACCOUNT_NAME, config.billingAccountName())
                .text(FocusColumn.INVOICE_ISSUER_NAME, config.invoiceIssuerName())
                .text(FocusColumn.PROVIDER_NAME, config.providerName())
                .text(FocusColumn.PUBLISHER_NAME, config.publisherName())
                .dateTime(FocusColumn.BILLING_PERIOD_START, month.atStartOfDay().toInstant(ZoneOffset.UTC))
                .dateTime(FocusColumn.BILLING_PERIOD_END, month.plusMonths(1).atStartOfDay().toInstant(ZoneOffset.UTC))
                .dateTime(FocusColumn.CHARGE_PERIOD_START, dayStart)
                .dateTime(FocusColumn.CHARGE_PERIOD_END, dayStart.plusSeconds(86_400))
                .text(FocusColumn.CHARGE_CATEGORY, "Usage")
                .text(FocusColumn.CHARGE_FREQUENCY, "Usage-Based")
                .text(FocusColumn.CHARGE_DESCRIPTION, model + " " + tokenClass.label + " tokens, "
                        + usage.deploymentType() + " deployment, at " + unitPrice.toPlainString() + " "
                        + price.currency() + " per 1M tokens")
                .text(FocusColumn.SERVICE_CATEGORY, "AI and Machine Learning")
                .text(FocusColumn.SERVICE_SUBCATEGORY, "Generative AI")
                .text(FocusColumn.SERVICE_NAME, SERVICE_NAME)
                .text(FocusColumn.REGION_ID, region)
                .text(FocusColumn.REGION_NAME, region)
                .text(FocusColumn.SKU_ID, model + "/" + usage.deploymentType() + "/" + key(tokenClass))
                .text(FocusColumn.SKU_METER, model + " " + tokenClass.label + " tokens")
                .text(FocusColumn.SKU_PRICE_ID, "tollgate-price-" + price.id() + "/" + key(tokenClass))
                .keyValue(FocusColumn.TAGS, tags(app))
                .text(FocusColumn.X_APP_ID, app.appId())
                .text(FocusColumn.X_APP_NAME, app.name())
                .text(FocusColumn.X_BUSINESS_UNIT, app.businessUnit())
                .text(FocusColumn.X_COST_CENTER, app.costCenter())
                .text(FocusColumn.X_BACKEND_ID, usage.backendId().isEmpty() ? null : usage.backendId())
                .text(FocusColumn.X_MODEL, model)
                .text(FocusColumn.X_DEPLOYMENT_TYPE, usage.deploymentType())
                .text(FocusColumn.X_TOKEN_CLASS, tokenClass.label)
                .decimal(FocusColumn.X_REASONING_TOKENS, tokenClass == Component.OUTPUT
                        ? BigDecimal.valueOf(usage.reasoning()) : null)
                .text(FocusColumn.X_PRICE_ID, String.valueOf(price.id()));
        if (resourceId != null) {
            // A backend without a resource id keeps its charges (they add up to the chargeback) with no resource.
            row.text(FocusColumn.RESOURCE_ID, resourceId)
                    .text(FocusColumn.RESOURCE_NAME, resourceId.substring(resourceId.lastIndexOf('/') + 1))
                    .text(FocusColumn.RESOURCE_TYPE, SERVICE_NAME);
        }
        return row;
    }

    /** A token class in an identifier: input, cached-input, output. */
    private static String key(Component tokenClass) {
        return tokenClass.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static SortedMap<String, String> tags(MeteredUsage.AppOwner app) {
        SortedMap<String, String> tags = new TreeMap<>();
        tags.put(TAG_PREFIX + "app-id", app.appId());
        tags.put(TAG_PREFIX + "app-name", app.name());
        tags.put(TAG_PREFIX + "business-unit", app.businessUnit());
        tags.put(TAG_PREFIX + "cost-center", app.costCenter());
        return tags;
    }
}
