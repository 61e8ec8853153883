package dev.sluice.simulator.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.simulator.SettableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The token ledger: charged on arrival, corrected on answer, in sliding and fixed windows. */
class TokenBudgetTest {

    private static final Duration W = Duration.ofSeconds(10);
    private final SettableClock clock = SettableClock.alignedTo(W);

    private RateLimiter limiter(long tokens, WindowKind kind) {
        return new RateLimiter(
                new RateLimiter.Policy(Limit.unlimited(), Limit.unlimited(), new TokenLimit(tokens, W), kind), clock);
    }

    private Admission admit(RateLimiter limiter, long tokens) {
        return limiter.admit("k", "m", clock.instant(), tokens);
    }

    private static Admission.Admitted admitted(Admission admission) {
        assertThat(admission).isInstanceOf(Admission.Admitted.class);
        return (Admission.Admitted) admission;
    }

    private static Admission.Rejected rejected(Admission admission) {
        assertThat(admission).isInstanceOf(Admission.Rejected.class);
        return (Admission.Rejected) admission;
    }

    @Test
    void chargesOnArrivalAndCorrectsToTheActualUsage() {
        RateLimiter limiter = limiter(1_000, WindowKind.SLIDING);
        Admission.Admitted first = admitted(admit(limiter, 600));
        assertThat(first.tokens().used()).isEqualTo(600);
        assertThat(first.tokens().remaining()).isEqualTo(400);
        assertThat(first.charge().estimated()).isEqualTo(600);

        Admission.Rejected full = rejected(admit(limiter, 500));
        assertThat(full.refusal()).isEqualTo(Admission.Refusal.TOKENS);
        assertThat(full.tokens().used()).isEqualTo(600);
        assertThat(full.requestedTokens()).isEqualTo(500);
        assertThat(full.retryAfter()).isEqualTo(W);

        limiter.settle(first, 250); // it used less than it asked for: 350 refunded
        assertThat(first.charge().amount()).isEqualTo(250);
        Admission.Admitted second = admitted(admit(limiter, 500));
        assertThat(second.tokens().used()).isEqualTo(750);
        assertThat(second.tokens().remaining()).isEqualTo(250);
    }

    @Test
    void aLongerAnswerThanAskedForIsChargedExtra() {
        RateLimiter limiter = limiter(1_000, WindowKind.SLIDING);
        Admission.Admitted first = admitted(admit(limiter, 100));
        limiter.settle(first, 1_100);
        Admission.Rejected over = rejected(admit(limiter, 0));
        assertThat(over.tokens().used()).isEqualTo(1_100);
        assertThat(over.tokens().remaining()).isZero();
    }

    @Test
    void aRefusedRequestIsChargedNothing() {
        RateLimiter limiter = limiter(1_000, WindowKind.SLIDING);
        admitted(admit(limiter, 900));
        for (int i = 0; i < 5; i++) {
            rejected(admit(limiter, 200));
        }
        assertThat(admitted(admit(limiter, 100)).tokens().used()).isEqualTo(1_000);
    }

    @Test
    void slidingChargesLeaveWAfterTheirArrivalOldestFirst() {
        RateLimiter limiter = limiter(1_000, WindowKind.SLIDING);
        admitted(admit(limiter, 300));
        clock.advance(Duration.ofSeconds(2));
        admitted(admit(limiter, 300));
        clock.advance(Duration.ofSeconds(2));
        admitted(admit(limiter, 300));
        // 900 used: 500 more fits once the first two charges (600) have left, at 10 s and 12 s.
        assertThat(rejected(admit(limiter, 500)).retryAfter()).isEqualTo(Duration.ofSeconds(8));
        assertThat(rejected(admit(limiter, 200)).retryAfter()).isEqualTo(Duration.ofSeconds(6));

        clock.advance(Duration.ofSeconds(6)); // exactly W after the first charge: it has left
        Admission.Admitted next = admitted(admit(limiter, 400));
        assertThat(next.tokens().used()).isEqualTo(1_000);
        assertThat(next.tokens().resetIn()).isEqualTo(W);
    }

    @Test
    void aCorrectionAfterTheChargeLeftTheWindowCountsNothing() {
        RateLimiter limiter = limiter(1_000, WindowKind.SLIDING);
        Admission.Admitted first = admitted(admit(limiter, 800));
        clock.advance(W);
        limiter.settle(first, 50); // a refund of a charge that no longer counts must not go negative
        assertThat(admitted(admit(limiter, 1_000)).tokens().used()).isEqualTo(1_000);
    }

    @Test
    void fixedWindowsStartWholeAtEachEpochMultipleOfW() {
        RateLimiter limiter = limiter(1_000, WindowKind.FIXED);
        clock.advance(Duration.ofSeconds(9));
        Admission.Admitted late = admitted(admit(limiter, 900));
        assertThat(late.tokens().resetIn()).isEqualTo(Duration.ofSeconds(1));
        assertThat(rejected(admit(limiter, 200)).retryAfter()).isEqualTo(Duration.ofSeconds(1));

        clock.advance(Duration.ofSeconds(1));
        Admission.Admitted fresh = admitted(admit(limiter, 1_000));
        limiter.settle(late, 0); // belongs to the last window: refunds nothing in this one
        assertThat(rejected(admit(limiter, 1)).tokens().used()).isEqualTo(1_000);

        limiter.settle(fresh, 400); // this window's charge: refunded here
        assertThat(admitted(admit(limiter, 600)).tokens().used()).isEqualTo(1_000);
    }

    @Test
    void aRequestLargerThanTheWholeBudgetIsAlwaysRefusedWithNoTimeToWait() {
        for (WindowKind kind : WindowKind.values()) {
            RateLimiter limiter = limiter(1_000, kind);
            Admission.Rejected tooLarge = rejected(admit(limiter, 1_001));
            assertThat(tooLarge.retryAfter()).isNull();
            assertThat(tooLarge.tokens().used()).isZero();
            assertThat(tooLarge.tokens().remaining()).isEqualTo(1_000);
            assertThat(admitted(admit(limiter, 1_000)).tokens().remaining()).isZero();
        }
    }

    @Test
    void everyWindowMustHaveRoomAndARefusalChargesNone() {
        RateLimiter limiter = new RateLimiter(
                new RateLimiter.Policy(Limit.of(2, W), Limit.unlimited(), new TokenLimit(1_000, W), WindowKind.SLIDING),
                clock);
        // Refused by tokens: the request is not counted in the request window either.
        rejected(admit(limiter, 2_000));
        Admission.Admitted a = admitted(admit(limiter, 100));
        assertThat(a.requests().remaining()).isEqualTo(1);
        admitted(admit(limiter, 100));
        // Refused by requests: its tokens are not charged.
        Admission.Rejected byRequests = rejected(admit(limiter, 100));
        assertThat(byRequests.refusal()).isEqualTo(Admission.Refusal.REQUESTS);
        assertThat(byRequests.tokens().used()).isEqualTo(200);
        assertThat(byRequests.retryAfter()).isEqualTo(W);
    }

    @Test
    void theRetryAfterOfARefusalIsTheLongestWaitOfAllFullWindows() {
        RateLimiter limiter = new RateLimiter(
                new RateLimiter.Policy(
                        Limit.of(1, Duration.ofSeconds(2)),
                        Limit.unlimited(),
                        new TokenLimit(1_000, W),
                        WindowKind.SLIDING),
                clock);
        admitted(admit(limiter, 1_000));
        Admission.Rejected both = rejected(admit(limiter, 10));
        assertThat(both.refusal()).isEqualTo(Admission.Refusal.REQUESTS);
        assertThat(both.retryAfter()).isEqualTo(W);
    }

    @Test
    void noTokenBudgetMeansNoChargeToSettle() {
        RateLimiter limiter = new RateLimiter(Limit.of(3, W), WindowKind.SLIDING, clock);
        Admission.Admitted a = admitted(admit(limiter, 5_000));
        assertThat(a.tokens()).isNull();
        assertThat(a.charge()).isNull();
        limiter.settle(a, 10);
    }
}
