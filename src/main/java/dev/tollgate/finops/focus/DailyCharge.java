package dev.tollgate.finops.focus;

import dev.tollgate.finops.FinOpsConfig;
import dev.tollgate.finops.MeteredUsage;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What every charge source's rows say alike: the account, issuer and provider, the billing month and the UTC day
 * charged, a usage-based charge of Azure OpenAI, the backend's resource, and the app charged (its columns and tags).
 */
final class DailyCharge {

    static final String SERVICE_NAME = "Azure OpenAI";
    /** Tags are Tollgate's own: provider-defined, so under a prefix of its own, as FOCUS requires. */
    static final String TAG_PREFIX = "tollgate/";

    private DailyCharge() {
    }

    /** A usage charge of the day, in the currency, on the resource (none: a backend without a resource id). */
    static FocusRow of(FinOpsConfig.Focus config, String currency, LocalDate day, String resourceId) {
        Instant dayStart = day.atStartOfDay().toInstant(ZoneOffset.UTC);
        LocalDate month = day.withDayOfMonth(1);
        FocusRow row = new FocusRow()
                .text(FocusColumn.BILLING_CURRENCY, currency)
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
                .text(FocusColumn.SERVICE_CATEGORY, "AI and Machine Learning")
                .text(FocusColumn.SERVICE_SUBCATEGORY, "Generative AI")
                .text(FocusColumn.SERVICE_NAME, SERVICE_NAME);
        if (resourceId != null) {
            // A backend without a resource id keeps its charges (they add up to the chargeback) with no resource.
            row.text(FocusColumn.RESOURCE_ID, resourceId)
                    .text(FocusColumn.RESOURCE_NAME, resourceId.substring(resourceId.lastIndexOf('/') + 1))
                    .text(FocusColumn.RESOURCE_TYPE, SERVICE_NAME);
        }
        return row;
    }

    /** The app charged: its columns and tags. */
    static FocusRow app(FocusRow row, MeteredUsage.AppOwner app) {
        SortedMap<String, String> tags = new TreeMap<>();
        tags.put(TAG_PREFIX + "app-id", app.appId());
        tags.put(TAG_PREFIX + "app-name", app.name());
        tags.put(TAG_PREFIX + "business-unit", app.businessUnit());
        tags.put(TAG_PREFIX + "cost-center", app.costCenter());
        return row.keyValue(FocusColumn.TAGS, tags)
                .text(FocusColumn.X_APP_ID, app.appId())
                .text(FocusColumn.X_APP_NAME, app.name())
                .text(FocusColumn.X_BUSINESS_UNIT, app.businessUnit())
                .text(FocusColumn.X_COST_CENTER, app.costCenter());
    }
}
