package dev.tollgate.metering;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What an earlier run's journal says about requests it never saw end: each request opened in it (a backend was asked)
 * without a record in any of its files becomes an {@code interrupted} record. The same files give the same records
 * with the same ids, so recovering twice (a crash during recovery) doubles nothing.
 */
final class JournalRecovery {

    private JournalRecovery() {
    }

    /** The interrupted records of these files (an earlier run's segments, oldest first). */
    static List<UsageRecord> interrupted(List<Path> files, JournalFormat format) {
        Map<UUID, OpenedRequest> opened = new LinkedHashMap<>();
        Set<UUID> recorded = new HashSet<>();
        for (Path file : files) {
            format.read(file, entry -> opened.putIfAbsent(entry.id(), entry), record -> recorded.add(record.id()));
        }
        List<UsageRecord> interrupted = new ArrayList<>();
        for (OpenedRequest entry : opened.values()) {
            if (!recorded.contains(entry.id())) {
                interrupted.add(entry.interrupted());
            }
        }
        return interrupted;
    }
}
