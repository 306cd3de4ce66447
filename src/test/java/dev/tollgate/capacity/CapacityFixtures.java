package dev.tollgate.capacity;

import javax.sql.DataSource;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the capacity tests share: the JSON bodies they post (capacity rows, the pay-as-you-go price spilled requests
 * are priced at) and where the background allocation stands (its frontier: adding capacity rows re-allocates the
 * hours before it that they cover, so a test pins it to keep that run to its own period, and puts it back).
 */
final class CapacityFixtures {

    private CapacityFixtures() {
    }

    /** The background allocation's state: every hour before {@code frontier} (null: none yet) is allocated. */
    record Frontier(Instant frontier, long lastSeq) {
    }

    static Frontier frontier(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet state = statement.executeQuery("select frontier, last_seq from capacity_allocator_state")) {
            state.next();
            OffsetDateTime frontier = state.getObject(1, OffsetDateTime.class);
            return new Frontier(frontier == null ? null : frontier.toInstant(), state.getLong(2));
        }
    }

    static void setFrontier(DataSource dataSource, Frontier state) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement update = connection.prepareStatement(
                "update capacity_allocator_state set frontier = ?, last_seq = ?")) {
            update.setObject(1, state.frontier() == null ? null : state.frontier().atOffset(ZoneOffset.UTC));
            update.setLong(2, state.lastSeq());
            update.executeUpdate();
        }
    }

    /** A capacity row for {@code POST /api/capacity/rows}, in USD; {@code to} may be null (open-ended). */
    static Map<String, Object> capacity(String backend, String deployment, String model, String type, int ptu,
                                        String billing, String amount, String policy, String idleOwner, String from,
                                        String to) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("backend", backend);
        row.put("deployment", deployment);
        row.put("model", model);
        row.put("deploymentType", type);
        row.put("ptu", ptu);
        row.put("billing", billing);
        row.put("currency", "USD");
        row.put("amount", new BigDecimal(amount));
        row.put("policy", policy);
        row.put("idleOwner", idleOwner);
        row.put("effectiveFrom", from);
        row.put("effectiveTo", to);
        return row;
    }

    /** gpt-4o, regional, in the region, from 2024: 2.50 input, 1.25 cached input, 10.00 output per 1M tokens. */
    static Map<String, Object> regionalGpt4oPrice(String region) {
        Map<String, Object> price = new LinkedHashMap<>();
        price.put("model", "gpt-4o");
        price.put("deploymentType", "regional");
        price.put("region", region);
        price.put("currency", "USD");
        price.put("inputPer1m", new BigDecimal("2.5"));
        price.put("cachedInputPer1m", new BigDecimal("1.25"));
        price.put("outputPer1m", new BigDecimal("10"));
        price.put("effectiveFrom", "2024-01-01");
        return price;
    }
}
