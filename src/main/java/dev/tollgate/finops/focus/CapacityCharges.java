package dev.tollgate.finops.focus;

import dev.tollgate.capacity.Billing;
import dev.tollgate.finops.AllocatedCapacity;
import dev.tollgate.finops.BackendResources;
import dev.tollgate.finops.FinOpsConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Provisioned capacity as allocated (docs/chargeback.md#provisioned-throughput): per UTC day, capacity row and app,
 * the app's share, and per day and row the idle share charged to the row's owner, so the export adds up to what the
 * capacity cost, as the chargeback report does. Each row is a capacity reservation in FOCUS's sense, used by an app or
 * unused ({@code CapacityReservationStatus}). An hourly row is priced on demand ({@code PricingCategory} Standard); a
 * monthly or yearly reservation is a commitment ({@code Committed}, {@code CommitmentDiscount*} columns, status used or
 * unused), whose share is amortised: its {@code EffectiveCost}, with no {@code BilledCost} (the reservation itself is
 * what the invoice bills). A share is priced as one unit of its own cost: it is a split of the hour's cost by weighted
 * tokens, not a quantity times a rate; the weighted tokens are its consumed quantity.
 */
@ApplicationScoped
public class CapacityCharges implements ChargeSource {

    private final AllocatedCapacity allocated;
    private final BackendResources resources;
    private final FinOpsConfig.Focus config;

    public CapacityCharges(AllocatedCapacity allocated, BackendResources resources, FinOpsConfig config) {
        this.allocated = allocated;
        this.resources = resources;
        this.config = config.focus();
    }

    @Override
    public Charges charges(LocalDate from, LocalDate to) throws SQLException {
        Map<String, String> resourceIds = resources.byBackend();
        List<FocusRow> rows = new ArrayList<>();
        for (AllocatedCapacity.Share share : allocated.between(from, to)) {
            rows.add(row(share, resourceIds.get(share.backendId())));
        }
        return new Charges(rows, 0);
    }

    private FocusRow row(AllocatedCapacity.Share share, String resourceId) {
        boolean idle = share.idleOwner().isPresent();
        boolean reservation = share.billing() != Billing.HOURLY;
        String capacityId = "tollgate-capacity-" + share.capacityId();
        String capacity = share.deployment() + " on " + share.backendId() + " (" + share.ptu() + " PTU, "
                + (reservation ? share.billing().key() + " reservation of " : "hourly at ")
                + share.amount().toPlainString() + " " + share.currency() + (reservation ? "" : " per PTU-hour") + ")";
        FocusRow row = DailyCharge.of(config, share.currency(), share.day(), resourceId)
                .decimal(FocusColumn.BILLED_COST, reservation ? BigDecimal.ZERO : share.cost())
                .decimal(FocusColumn.EFFECTIVE_COST, share.cost())
                .decimal(FocusColumn.LIST_COST, share.cost())
                .decimal(FocusColumn.CONTRACTED_COST, share.cost())
                .decimal(FocusColumn.LIST_UNIT_PRICE, share.cost())
                .decimal(FocusColumn.CONTRACTED_UNIT_PRICE, share.cost())
                .decimal(FocusColumn.PRICING_QUANTITY, BigDecimal.ONE)
                .text(FocusColumn.PRICING_UNIT, "Shares")
                .decimal(FocusColumn.CONSUMED_QUANTITY, share.weightedTokens())
                .text(FocusColumn.CONSUMED_UNIT, "Tokens")
                .text(FocusColumn.PRICING_CATEGORY, reservation ? "Committed" : "Standard")
                .text(FocusColumn.CAPACITY_RESERVATION_ID, capacityId)
                .text(FocusColumn.CAPACITY_RESERVATION_STATUS, idle ? "Unused" : "Used")
                .text(FocusColumn.CHARGE_DESCRIPTION, idle
                        ? "Idle capacity of " + capacity + ", charged to " + share.idleOwner().get()
                        : "Share by weighted tokens of " + capacity)
                .text(FocusColumn.SKU_ID, share.model() + "/" + share.deploymentType() + "/" + share.billing().key())
                .text(FocusColumn.SKU_METER, share.model() + " " + share.deploymentType() + " PTU")
                .text(FocusColumn.SKU_PRICE_ID, capacityId)
                .text(FocusColumn.X_BACKEND_ID, share.backendId())
                .text(FocusColumn.X_MODEL, share.model())
                .text(FocusColumn.X_DEPLOYMENT_TYPE, share.deploymentType());
        if (reservation) {
            row.text(FocusColumn.COMMITMENT_DISCOUNT_ID, capacityId)
                    .text(FocusColumn.COMMITMENT_DISCOUNT_NAME, capacity)
                    .text(FocusColumn.COMMITMENT_DISCOUNT_TYPE, "Reservation")
                    .text(FocusColumn.COMMITMENT_DISCOUNT_CATEGORY, "Usage")
                    .text(FocusColumn.COMMITMENT_DISCOUNT_STATUS, idle ? "Unused" : "Used");
        }
        if (idle) {
            SortedMap<String, String> tags = new TreeMap<>();
            tags.put(DailyCharge.TAG_PREFIX + "cost-center", share.idleOwner().get());
            return row.keyValue(FocusColumn.TAGS, tags).text(FocusColumn.X_COST_CENTER, share.idleOwner().get());
        }
        return DailyCharge.app(row, share.app().orElseThrow());
    }
}
