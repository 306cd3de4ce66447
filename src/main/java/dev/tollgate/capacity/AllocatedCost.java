package dev.tollgate.capacity;

/**
 * The allocation lines of a period shaped as the chargeback report's rollup rows, so a report adds them to the
 * pay-as-you-go figures with one {@code union all}: no tokens or requests (the records count those), the line's cost
 * as {@code provisioned_cost}. Usage lines carry the app, the deployment it asked for and the served model; idle lines
 * carry no app, the provisioned deployment, and the owner they are charged to. An hour belongs to the local day its
 * start falls on. Parameters: the zone (twice), then the first and the end instant of the period. A report in a zone
 * whose daily totals are kept reads those instead ({@link CapacityRollup#AS_ROLLUP_ROWS}).
 */
public final class AllocatedCost {

    /** The usage columns of a rollup row, zero: the records count requests and tokens, the allocation none. */
    static final String NO_USAGE = "0::bigint as requests, 0::bigint as estimated_requests, "
            + "0::bigint as missing_requests, 0::bigint as input_tokens, 0::bigint as cached_input_tokens, "
            + "0::bigint as output_tokens, 0::bigint as reasoning_tokens, 0::bigint as total_tokens, "
            + "0::bigint as estimated_tokens, 0::numeric as cost, ";

    /**
     * The columns, in order: zone, day, app_id, model, deployment, backend_id, priced, user_id, owner, then the sums.
     * Capacity is allocated to apps, not users: a line's user is '' (reported as the app's app-only calls).
     */
    public static final String AS_ROLLUP_ROWS = "select ?::text as zone, (a.hour at time zone ?)::date as day, "
            + "case when a.idle_owner is null then a.app_id end as app_id, a.model as model, "
            + "case when a.idle_owner is null then a.deployment else a.capacity_deployment end as deployment, "
            + "a.backend_id as backend_id, true as priced, ''::text as user_id, a.idle_owner as owner, "
            + NO_USAGE + "a.cost as provisioned_cost from capacity_allocation a "
            + "where a.hour >= ? and a.hour < ?";

    /** What an idle line's reason reads. */
    public static final String IDLE_REASON = "idle provisioned capacity";

    private AllocatedCost() {
    }
}
