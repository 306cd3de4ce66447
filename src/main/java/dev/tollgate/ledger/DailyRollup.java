package dev.tollgate.ledger;

import static dev.tollgate.ledger.RecordColumn.APP_ID;
import static dev.tollgate.ledger.RecordColumn.BACKEND_ID;
import static dev.tollgate.ledger.RecordColumn.CACHED_INPUT_TOKENS;
import static dev.tollgate.ledger.RecordColumn.COST;
import static dev.tollgate.ledger.RecordColumn.DEPLOYMENT;
import static dev.tollgate.ledger.RecordColumn.INPUT_TOKENS;
import static dev.tollgate.ledger.RecordColumn.MODEL;
import static dev.tollgate.ledger.RecordColumn.OCCURRED_AT;
import static dev.tollgate.ledger.RecordColumn.OUTPUT_TOKENS;
import static dev.tollgate.ledger.RecordColumn.REASONING_TOKENS;
import static dev.tollgate.ledger.RecordColumn.TOTAL_TOKENS;
import static dev.tollgate.ledger.RecordColumn.USAGE_SOURCE;
import static dev.tollgate.ledger.RecordColumn.USER_ID;

/**
 * SQL for {@code usage_daily}: per zone, local day, app, model, deployment, backend, priced-or-not and user, the sums a
 * chargeback report needs. The writer adds each batch's new records in the statement that inserts them; reprice takes
 * records out with their old cost and adds them back with the new one. Every change is an addition, so concurrent
 * writers on several replicas commute (rows are upserted in key order, so they cannot deadlock on each other).
 */
public final class DailyRollup {

    /** The columns of {@code usage_record} the rollups are computed from. */
    static final String RECORD_COLUMNS = RecordColumn.list(OCCURRED_AT, APP_ID, MODEL, DEPLOYMENT, BACKEND_ID,
            USAGE_SOURCE, INPUT_TOKENS, CACHED_INPUT_TOKENS, OUTPUT_TOKENS, REASONING_TOKENS, TOTAL_TOKENS, COST,
            USER_ID);

    private static final String KEY = "zone, day, app_id, model, deployment, backend_id, priced, user_id";
    private static final String SUMS = "requests, estimated_requests, missing_requests, input_tokens, "
            + "cached_input_tokens, output_tokens, reasoning_tokens, total_tokens, estimated_tokens, cost";

    private DailyRollup() {
    }

    /**
     * Adds ({@code sign} 1) or subtracts (-1) the records of {@code records} (a table, CTE or parenthesised query
     * with {@code usage_record}'s columns) to every zone in {@code usage_rollup_zone}.
     */
    public static String upsert(String records, int sign) {
        return upsert(records, "usage_rollup_zone", sign);
    }

    /** As {@link #upsert(String, int)}, for the zones of {@code zones} (a relation with a {@code zone} column). */
    static String upsert(String records, String zones, int sign) {
        if (sign != 1 && sign != -1) {
            throw new IllegalArgumentException("sign must be 1 or -1");
        }
        StringBuilder update = new StringBuilder();
        for (String sum : SUMS.split(", ")) {
            update.append(update.isEmpty() ? "" : ", ").append(sum).append(" = usage_daily.").append(sum)
                    .append(" + excluded.").append(sum);
        }
        return "insert into usage_daily (" + KEY + ", " + SUMS + ") "
                + aggregate(records, zones, sign) + " order by 1, 2, 3, 4, 5, 6, 7, 8 "
                + "on conflict (" + KEY + ") do update set " + update;
    }

    /**
     * The rows {@code usage_daily} would hold for {@code records}, for each zone in {@code zones} (a relation with a
     * {@code zone} column): how a report reads records directly for a zone that has no rollup.
     */
    public static String aggregate(String records, String zones, int sign) {
        String s = sign == 1 ? "" : "-";
        return "select z.zone as zone, (r.occurred_at at time zone z.zone)::date as day, r.app_id as app_id, "
                + "coalesce(r.model, '') as model, r.deployment as deployment, "
                + "coalesce(r.backend_id, '') as backend_id, r.cost is not null as priced, "
                + "coalesce(r.user_id, '') as user_id, "
                + s + "count(*) as requests, "
                + s + "count(*) filter (where r.usage_source = 'estimated') as estimated_requests, "
                + s + "count(*) filter (where r.usage_source = 'missing') as missing_requests, "
                + s + "sum(r.input_tokens) as input_tokens, " + s + "sum(r.cached_input_tokens) as cached_input_tokens, "
                + s + "sum(r.output_tokens) as output_tokens, " + s + "sum(r.reasoning_tokens) as reasoning_tokens, "
                + s + "sum(r.total_tokens) as total_tokens, "
                + s + "coalesce(sum(r.total_tokens) filter (where r.usage_source = 'estimated'), 0) as estimated_tokens, "
                + s + "coalesce(sum(r.cost), 0) as cost "
                + "from " + records + " r cross join " + zones + " z "
                + "group by 1, 2, 3, 4, 5, 6, 7, 8";
    }
}
