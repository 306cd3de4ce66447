package dev.tollgate.export;

import dev.tollgate.metering.Usage;
import dev.tollgate.metering.UsageRecord;
import dev.tollgate.metering.UsageSource;
import dev.tollgate.routing.DeploymentType;
import dev.tollgate.metering.RequestIds;
import dev.tollgate.support.ScratchDatabase;

import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** A {@link ScratchDatabase} for the exporter's tests: records to export, and how far the export got. */
final class ExportTestDatabase extends ScratchDatabase {

    ExportTestDatabase() {
        super("export");
    }

    /** {@code count} records of the app, alternating a few field values, occurred in the last minute. */
    static List<UsageRecord> records(String appId, int count) {
        List<UsageRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            boolean even = i % 2 == 0;
            records.add(new UsageRecord(RequestIds.next(), Instant.now().minusSeconds(30).truncatedTo(ChronoUnit.MICROS),
                    appId, even ? "tenant-1" : null, "gpt-4o", even ? "gpt-4o-2024-08-06" : null, "sim-" + (i % 3),
                    even ? "swedencentral" : null,
                    even ? DeploymentType.GLOBAL : null, "chat/completions", !even, even ? 200 : 429, 100 + i, 1 + i % 2,
                    even ? new Usage(1200 + i, 256, 300, 64, 1500 + i, UsageSource.REPORTED) : Usage.none(),
                    even ? "apim-" + i : null, even ? "user-" + i : null, i % 4 == 2, even ? null : "rule-" + i));
        }
        return records;
    }

    long maxSeq() throws SQLException {
        return queryLong("select coalesce(max(seq), 0) from usage_record");
    }

    long position() throws SQLException {
        return queryLong("select coalesce(max(last_seq), 0) from usage_export_position");
    }
}
