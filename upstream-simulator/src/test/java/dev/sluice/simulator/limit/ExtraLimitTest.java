package dev.sluice.simulator.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.simulator.SettableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A second request window enforced together with the first. */
class ExtraLimitTest {

    private static final Duration SHORT = Duration.ofSeconds(10);
    private static final Duration LONG = Duration.ofSeconds(60);
    private final SettableClock clock = SettableClock.alignedTo(LONG);

    private RateLimiter limiter(WindowKind kind) {
        return new RateLimiter(
                new RateLimiter.Policy(Limit.of(3, SHORT), Limit.of(5, LONG), TokenLimit.unlimited(), kind), clock);
    }

    private int admitted(RateLimiter limiter, int tries) {
        int n = 0;
        for (int i = 0; i < tries; i++) {
            if (limiter.admit("k", "m") instanceof Admission.Admitted) {
                n++;
            }
        }
        return n;
    }

    @Test
    void theLongWindowCapsWhatTheShortOneWouldAllow() {
        RateLimiter limiter = limiter(WindowKind.SLIDING);
        assertThat(admitted(limiter, 5)).isEqualTo(3);
        clock.advance(SHORT);
        assertThat(admitted(limiter, 5)).isEqualTo(2);

        Admission refused = limiter.admit("k", "m");
        assertThat(refused).isInstanceOfSatisfying(Admission.Rejected.class, r -> {
            assertThat(r.refusal()).isEqualTo(Admission.Refusal.EXTRA);
            assertThat(r.refused().limit()).isEqualTo(5);
            assertThat(r.refused().window()).isEqualTo(LONG);
            // The first three leave the long window 60 s after they arrived, 50 s from now.
            assertThat(r.retryAfter()).isEqualTo(Duration.ofSeconds(50));
        });
        clock.advance(Duration.ofSeconds(50));
        assertThat(admitted(limiter, 5)).isEqualTo(3);
    }

    @Test
    void aRefusalByTheShortWindowUsesNoneOfTheLongOne() {
        RateLimiter limiter = limiter(WindowKind.SLIDING);
        assertThat(admitted(limiter, 20)).isEqualTo(3);
        clock.advance(SHORT);
        assertThat(limiter.admit("k", "m"))
                .isInstanceOfSatisfying(
                        Admission.Admitted.class,
                        a -> assertThat(a.extra().remaining()).isEqualTo(1));
    }

    @Test
    void fixedWindowsOfBothLengthsAreAlignedToTheEpoch() {
        RateLimiter limiter = limiter(WindowKind.FIXED);
        clock.advance(Duration.ofSeconds(55));
        assertThat(admitted(limiter, 5)).isEqualTo(3);
        clock.advance(Duration.ofSeconds(5)); // a new short and a new long window
        assertThat(admitted(limiter, 5)).isEqualTo(3);
    }
}
