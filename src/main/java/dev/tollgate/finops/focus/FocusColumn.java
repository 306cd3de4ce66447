package dev.tollgate.finops.focus;

/**
 * The columns of Tollgate's FOCUS 1.2 dataset, in the order written: the specification's columns (alphabetical, as
 * the specification lists them), then Tollgate's own, with the {@code x_} prefix custom columns must carry. A column
 * whose value is absent for a row is null (an empty CSV cell, a JSON null).
 */
public enum FocusColumn {
    BILLED_COST("BilledCost", Kind.DECIMAL),
    BILLING_ACCOUNT_ID("BillingAccountId", Kind.TEXT),
    BILLING_ACCOUNT_NAME("BillingAccountName", Kind.TEXT),
    BILLING_CURRENCY("BillingCurrency", Kind.TEXT),
    BILLING_PERIOD_END("BillingPeriodEnd", Kind.DATE_TIME),
    BILLING_PERIOD_START("BillingPeriodStart", Kind.DATE_TIME),
    CAPACITY_RESERVATION_ID("CapacityReservationId", Kind.TEXT),
    CAPACITY_RESERVATION_STATUS("CapacityReservationStatus", Kind.TEXT),
    CHARGE_CATEGORY("ChargeCategory", Kind.TEXT),
    CHARGE_CLASS("ChargeClass", Kind.TEXT),
    CHARGE_DESCRIPTION("ChargeDescription", Kind.TEXT),
    CHARGE_FREQUENCY("ChargeFrequency", Kind.TEXT),
    CHARGE_PERIOD_END("ChargePeriodEnd", Kind.DATE_TIME),
    CHARGE_PERIOD_START("ChargePeriodStart", Kind.DATE_TIME),
    COMMITMENT_DISCOUNT_CATEGORY("CommitmentDiscountCategory", Kind.TEXT),
    COMMITMENT_DISCOUNT_ID("CommitmentDiscountId", Kind.TEXT),
    COMMITMENT_DISCOUNT_NAME("CommitmentDiscountName", Kind.TEXT),
    COMMITMENT_DISCOUNT_STATUS("CommitmentDiscountStatus", Kind.TEXT),
    COMMITMENT_DISCOUNT_TYPE("CommitmentDiscountType", Kind.TEXT),
    CONSUMED_QUANTITY("ConsumedQuantity", Kind.DECIMAL),
    CONSUMED_UNIT("ConsumedUnit", Kind.TEXT),
    CONTRACTED_COST("ContractedCost", Kind.DECIMAL),
    CONTRACTED_UNIT_PRICE("ContractedUnitPrice", Kind.DECIMAL),
    EFFECTIVE_COST("EffectiveCost", Kind.DECIMAL),
    INVOICE_ISSUER_NAME("InvoiceIssuerName", Kind.TEXT),
    LIST_COST("ListCost", Kind.DECIMAL),
    LIST_UNIT_PRICE("ListUnitPrice", Kind.DECIMAL),
    PRICING_CATEGORY("PricingCategory", Kind.TEXT),
    PRICING_QUANTITY("PricingQuantity", Kind.DECIMAL),
    PRICING_UNIT("PricingUnit", Kind.TEXT),
    PROVIDER_NAME("ProviderName", Kind.TEXT),
    PUBLISHER_NAME("PublisherName", Kind.TEXT),
    REGION_ID("RegionId", Kind.TEXT),
    REGION_NAME("RegionName", Kind.TEXT),
    RESOURCE_ID("ResourceId", Kind.TEXT),
    RESOURCE_NAME("ResourceName", Kind.TEXT),
    RESOURCE_TYPE("ResourceType", Kind.TEXT),
    SERVICE_CATEGORY("ServiceCategory", Kind.TEXT),
    SERVICE_NAME("ServiceName", Kind.TEXT),
    SERVICE_SUBCATEGORY("ServiceSubcategory", Kind.TEXT),
    SKU_ID("SkuId", Kind.TEXT),
    SKU_METER("SkuMeter", Kind.TEXT),
    SKU_PRICE_ID("SkuPriceId", Kind.TEXT),
    TAGS("Tags", Kind.KEY_VALUE),
    X_APP_ID("x_AppId", Kind.TEXT),
    X_APP_NAME("x_AppName", Kind.TEXT),
    X_BUSINESS_UNIT("x_BusinessUnit", Kind.TEXT),
    X_COST_CENTER("x_CostCenter", Kind.TEXT),
    X_BACKEND_ID("x_BackendId", Kind.TEXT),
    X_MODEL("x_Model", Kind.TEXT),
    X_DEPLOYMENT_TYPE("x_DeploymentType", Kind.TEXT),
    X_TOKEN_CLASS("x_TokenClass", Kind.TEXT),
    X_REASONING_TOKENS("x_ReasoningTokens", Kind.DECIMAL),
    X_PRICE_ID("x_PriceId", Kind.TEXT);

    /** How a column's values are typed and written. */
    public enum Kind {
        /** A string. */
        TEXT,
        /** A BigDecimal (or a long), always written in plain decimal notation. */
        DECIMAL,
        /** An instant, written {@code YYYY-MM-DDTHH:mm:ssZ} in UTC. */
        DATE_TIME,
        /** A string map: a JSON object (the specification's KeyValueFormat). */
        KEY_VALUE
    }

    private final String id;
    private final Kind kind;

    FocusColumn(String id, Kind kind) {
        this.id = id;
        this.kind = kind;
    }

    /** The column id, as in the header. */
    public String id() {
        return id;
    }

    public Kind kind() {
        return kind;
    }
}
