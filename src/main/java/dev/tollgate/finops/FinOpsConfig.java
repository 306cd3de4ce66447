package dev.tollgate.finops;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.math.BigDecimal;

/** The FOCUS export and the reconciliation with the Azure bill ({@code tollgate.finops.*}). */
@ConfigMapping(prefix = "tollgate.finops")
public interface FinOpsConfig {

    Focus focus();

    Reconciliation reconciliation();

    /**
     * Who the FOCUS export says issued and bills the charges. Tollgate's export is an internal re-bill of Azure OpenAI
     * usage: Microsoft provides and publishes the service, the team running the gateway issues the chargeback.
     */
    interface Focus {
        /** {@code BillingAccountId}: the account the chargeback is billed under. */
        @WithDefault("tollgate")
        String billingAccountId();

        /** {@code BillingAccountName}. */
        @WithDefault("Tollgate chargeback")
        String billingAccountName();

        /** {@code InvoiceIssuerName}: who issues the chargeback. */
        @WithDefault("Tollgate")
        String invoiceIssuerName();

        /** {@code ProviderName}: who makes the service available. */
        @WithDefault("Microsoft")
        String providerName();

        /** {@code PublisherName}: who produces the service. */
        @WithDefault("Microsoft")
        String publisherName();
    }

    /** When a line of the Azure bill and Tollgate's metering are taken to agree. */
    interface Reconciliation {
        /**
         * Largest difference in tokens, as a share of the larger of the two quantities, still counted as the same
         * usage (Tollgate estimates the usage of streams cut off before their usage arrived).
         */
        @WithDefault("0.01")
        BigDecimal quantityTolerance();

        /** Largest difference in cost, as a share of the larger of the two costs, still counted as the same price. */
        @WithDefault("0.01")
        BigDecimal costTolerance();
    }
}
