package dev.tollgate.routing;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The breaker's half-open trial: one request at a time, given back whatever becomes of it. */
class TargetStateTest {

    private static final int THRESHOLD = 3;

    @Test
    void aHalfOpenTargetLetsOneTrialThroughAtATime() {
        TargetState state = openedThenCooledDown();
        assertThat(state.usable(System.nanoTime(), THRESHOLD)).isTrue();
        state.sending(THRESHOLD);
        assertThat(state.usable(System.nanoTime(), THRESHOLD)).as("the trial is in flight").isFalse();
    }

    @Test
    void aTrialThatNeverReachedTheTargetIsGivenBack() {
        TargetState state = openedThenCooledDown();
        state.sending(THRESHOLD);
        state.notSent();
        assertThat(state.usable(System.nanoTime(), THRESHOLD)).as("another trial may go").isTrue();
        assertThat(state.breakerOpen(THRESHOLD)).as("nothing was learnt about the target").isTrue();
    }

    @Test
    void aSuccessfulTrialClosesTheBreaker() {
        TargetState state = openedThenCooledDown();
        state.sending(THRESHOLD);
        state.succeeded();
        assertThat(state.breakerOpen(THRESHOLD)).isFalse();
    }

    /** A target whose breaker opened with a cool-down already over: half-open. */
    private static TargetState openedThenCooledDown() {
        TargetState state = new TargetState();
        long longAgo = System.nanoTime() - 1_000_000_000L;
        for (int i = 0; i < THRESHOLD; i++) {
            state.failed(longAgo, THRESHOLD, 1);
        }
        assertThat(state.breakerOpen(THRESHOLD)).isTrue();
        return state;
    }
}
