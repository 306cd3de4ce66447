package dev.tollgate.metering;

import dev.tollgate.routing.DeploymentType;
import dev.tollgate.support.ScratchDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The writer's COPY form through a real PostgreSQL: text of every kind stored as sent (NUL, which text cannot hold,
 * left out), and a batch built in the buffer the one before left behind carries nothing of it.
 */
class UsageWriterTest {

    private final ScratchDatabase database = new ScratchDatabase("writer");

    @AfterEach
    void dropDatabase() {
        database.close();
    }

    @Test
    void storesAnyTextAndNothingOfTheBatchBefore() throws Exception {
        List<UsageRecord> large = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            large.add(record("app-" + "x".repeat(i), "req-" + i));
        }
        database.write(large);
        List<UsageRecord> small = List.of(
                record("caf\u00e9-\u65e5\u672c-\uD83D\uDE80", "plain"),
                record("nul\u0000inside", "\u0000"),
                record("a", null));
        database.write(small);

        assertThat(database.queryLong("select count(*) from usage_record")).isEqualTo(203);
        assertThat(appAndRequest(small.get(0).id())).isEqualTo("caf\u00e9-\u65e5\u672c-\uD83D\uDE80|plain");
        assertThat(appAndRequest(small.get(1).id())).isEqualTo("nulinside|");
        assertThat(appAndRequest(small.get(2).id())).isEqualTo("a|null");
        assertThat(appAndRequest(large.get(199).id())).isEqualTo("app-" + "x".repeat(199) + "|req-199");
    }

    private String appAndRequest(UUID id) throws Exception {
        try (Connection connection = database.dataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("select app_id, upstream_request_id from usage_record where id = '"
                     + id + "'")) {
            assertThat(row.next()).as("record %s stored", id).isTrue();
            return row.getString(1) + "|" + row.getString(2);
        }
    }

    private static UsageRecord record(String appId, String upstreamRequestId) {
        return new UsageRecord(UUID.randomUUID(), Instant.parse("2026-12-07T01:02:03.456789Z"), appId, "tenant",
                "gpt-4o", "gpt-4o-2024-08-06", "east", "eastus", DeploymentType.GLOBAL, "chat/completions", false,
                200, 12, 1, new Usage(10, 0, 5, 0, 15, UsageSource.REPORTED), upstreamRequestId, null);
    }
}
