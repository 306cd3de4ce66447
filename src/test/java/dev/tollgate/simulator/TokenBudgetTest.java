package dev.tollgate.simulator;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The fixed one-minute window, with a hand-driven clock. */
class TokenBudgetTest {

    final AtomicLong now = new AtomicLong(1_000_000);
    final TokenBudget budget = new TokenBudget(now::get);

    @Test
    void refusesOnceSpentAndResetsWhenTheWindowEnds() {
        assertThat(budget.admit(1000, 600).admitted()).isTrue();
        assertThat(budget.admit(1000, 600).remainingTokens()).isZero(); // admitted below the limit, charged fully
        now.addAndGet(20_000);

        TokenBudget.Decision refused = budget.admit(1000, 10);
        assertThat(refused.admitted()).isFalse();
        assertThat(refused.remainingTokens()).isZero();
        assertThat(refused.retryAfterMillis()).isEqualTo(40_000);

        now.addAndGet(40_000);
        TokenBudget.Decision fresh = budget.admit(1000, 10);
        assertThat(fresh.admitted()).isTrue();
        assertThat(fresh.remainingTokens()).isEqualTo(990);
    }

    @Test
    void reportsRemainingRequestsAtSixPerThousandTokens() {
        assertThat(budget.admit(1000, 1).remainingRequests()).isEqualTo(5);
        assertThat(budget.peek(1000).remainingRequests()).isEqualTo(5);
        assertThat(budget.peek(1000).remainingTokens()).isEqualTo(999);
    }

    @Test
    void unlimitedAlwaysAdmits() {
        for (int i = 0; i < 100; i++) {
            assertThat(budget.admit(0, 1_000_000).admitted()).isTrue();
        }
        assertThat(budget.peek(0).remainingTokens()).isEqualTo(TokenBudget.UNLIMITED_TOKENS);
    }

    @Test
    void peekAfterTheWindowShowsAFullBudget() {
        budget.admit(100, 100);
        assertThat(budget.peek(100).remainingTokens()).isZero();
        now.addAndGet(60_000);
        assertThat(budget.peek(100).remainingTokens()).isEqualTo(100);
    }
}
