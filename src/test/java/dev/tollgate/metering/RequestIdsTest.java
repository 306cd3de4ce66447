package dev.tollgate.metering;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class RequestIdsTest {

    @Test
    void idsAreVersion7VariantRfcAndUnique() {
        Set<UUID> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            UUID id = RequestIds.next();
            assertThat(id.version()).isEqualTo(7);
            assertThat(id.variant()).isEqualTo(2);
            assertThat(seen.add(id)).isTrue();
        }
    }

    @Test
    void idsCarryTheirCreationTimeSoTheyIndexInOrder() {
        long before = System.currentTimeMillis();
        UUID id = RequestIds.next();
        long after = System.currentTimeMillis();
        assertThat(id.getMostSignificantBits() >>> 16).isBetween(before, after);
    }
}
