package dev.tollgate.metering;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {

    @Test
    void doublesFromTheFirstDelayUpToTheCeilingAndStartsOverAfterASuccess() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(700));
        assertThat(backoff.failed()).isEqualTo(100);
        assertThat(backoff.failed()).isEqualTo(200);
        assertThat(backoff.failed()).isEqualTo(400);
        assertThat(backoff.failed()).isEqualTo(700);
        assertThat(backoff.failed()).isEqualTo(700);
        backoff.succeeded();
        assertThat(backoff.failed()).isEqualTo(100);
    }

    @Test
    void aCeilingBelowTheFirstDelayWins() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(30));
        assertThat(backoff.failed()).isEqualTo(30);
        assertThat(backoff.failed()).isEqualTo(30);
    }
}
