package dev.tollgate.reporting;

import dev.tollgate.errors.ErrorCode;
import dev.tollgate.errors.GatewayException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A dimension a chargeback report can be grouped by: the {@code usage_daily} column it needs and the SQL of its report
 * columns over those sums ({@code d}) left-joined to the app registry ({@code a}) and the names looked up in Microsoft
 * Graph ({@code g}). Business unit and cost center come from the registry as it is now; an app that is not registered
 * reports as {@value #UNREGISTERED}, named by Graph if it was looked up there (a registered name always wins).
 */
public enum ChargebackGrouping {
    APP("app", "app_id", List.of(new Column("app", "d.app_id"),
            new Column("appName", registry("coalesce(a.display_name, g.display_name)")))),
    BUSINESS_UNIT("businessUnit", "app_id", List.of(new Column("businessUnit", registry("a.business_unit")))),
    COST_CENTER("costCenter", "app_id", List.of(new Column("costCenter", registry("a.cost_center")))),
    MODEL("model", "model", List.of(new Column("model", "nullif(d.model, '')"))),
    DEPLOYMENT("deployment", "deployment", List.of(new Column("deployment", "d.deployment"))),
    BACKEND("backend", "backend_id", List.of(new Column("backend", "nullif(d.backend_id, '')"))),
    USER("user", "user_id", List.of(new Column("user",
            "coalesce(nullif(d.user_id, ''), '" + ChargebackGrouping.APP_ONLY + "')"))),
    DAY("day", "day", List.of(new Column("day", "to_char(d.day, 'YYYY-MM-DD')"))),
    MONTH("month", "day", List.of(new Column("month", "to_char(d.day, 'YYYY-MM')")));

    /** How business unit, cost center and name read for an app that is not in the registry. */
    public static final String UNREGISTERED = "(unregistered)";
    /** How the user reads for calls with an app-only token, which act for no user. */
    public static final String APP_ONLY = "(app-only)";

    private final String parameter;
    private final String rollupColumn;
    private final List<Column> columns;

    ChargebackGrouping(String parameter, String rollupColumn, List<Column> columns) {
        this.parameter = parameter;
        this.rollupColumn = rollupColumn;
        this.columns = columns;
    }

    /** A registry column of the group's app; none for idle capacity, which has no app (it names its owner). */
    private static String registry(String column) {
        return "case when d.app_id is not null then coalesce(" + column + ", '" + UNREGISTERED + "') end";
    }

    /** As written in {@code groupBy}. */
    public String parameter() {
        return parameter;
    }

    List<Column> columns() {
        return columns;
    }

    /** The {@code usage_daily} column the report's columns are computed from. */
    String rollupColumn() {
        return rollupColumn;
    }

    /** Whether its columns come from the app registry (and the report must join it). */
    boolean fromRegistry() {
        return rollupColumn.equals("app_id");
    }

    /**
     * {@code groupBy} values: each may list several names separated by commas; order is kept, repeats are dropped.
     * None means the grand total only.
     */
    public static List<ChargebackGrouping> parse(List<String> values) {
        Set<ChargebackGrouping> seen = EnumSet.noneOf(ChargebackGrouping.class);
        List<ChargebackGrouping> groupings = new ArrayList<>();
        for (String value : values) {
            for (String name : value.split(",")) {
                if (name.isBlank()) {
                    continue;
                }
                ChargebackGrouping grouping = byParameter(name.trim());
                if (seen.add(grouping)) {
                    groupings.add(grouping);
                }
            }
        }
        return groupings;
    }

    private static ChargebackGrouping byParameter(String name) {
        for (ChargebackGrouping grouping : values()) {
            if (grouping.parameter.equalsIgnoreCase(name)) {
                return grouping;
            }
        }
        throw new GatewayException(ErrorCode.BAD_REQUEST, "Unknown groupBy '" + name + "'; use any of "
                + Arrays.stream(values()).map(ChargebackGrouping::parameter).collect(Collectors.joining(", ")) + ".");
    }

    /** A column of the report's group key: its name in JSON and CSV, and its SQL. */
    record Column(String name, String sql) {
    }
}
