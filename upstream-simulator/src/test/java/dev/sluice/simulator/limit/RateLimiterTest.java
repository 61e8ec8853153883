package dev.sluice.simulator.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.simulator.SettableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private static final Duration W = Duration.ofSeconds(10);
    private final SettableClock clock = SettableClock.alignedTo(W);

    private RateLimiter limiter(WindowKind kind) {
        return new RateLimiter(Limit.of(3, W), kind, clock);
    }

    private static int admitted(RateLimiter limiter, String key, String model, int tries) {
        int n = 0;
        for (int i = 0; i < tries; i++) {
            if (!(limiter.admit(key, model) instanceof Admission.Rejected)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void slidingAdmitsNThenRejectsUntilTheOldestIsWOld() {
        RateLimiter limiter = limiter(WindowKind.SLIDING);
        assertThat(admitted(limiter, "k", "m", 1)).isEqualTo(1);
        clock.advance(Duration.ofSeconds(4));
        assertThat(admitted(limiter, "k", "m", 5)).isEqualTo(2);

        clock.advance(Duration.ofMillis(5_999));
        Admission stillFull = limiter.admit("k", "m");
        assertThat(stillFull)
                .isInstanceOfSatisfying(
                        Admission.Rejected.class,
                        r -> assertThat(r.retryAfter()).isEqualTo(Duration.ofMillis(1)));

        clock.advance(Duration.ofMillis(1)); // exactly W after the first arrival: its slot is free
        assertThat(admitted(limiter, "k", "m", 3)).isEqualTo(1);
    }

    @Test
    void rejectedArrivalsUseNoBudget() {
        RateLimiter limiter = limiter(WindowKind.SLIDING);
        assertThat(admitted(limiter, "k", "m", 3)).isEqualTo(3);
        clock.advance(Duration.ofSeconds(5));
        assertThat(admitted(limiter, "k", "m", 10)).isZero();
        clock.advance(Duration.ofSeconds(5));
        assertThat(admitted(limiter, "k", "m", 10)).isEqualTo(3);
    }

    @Test
    void eachKeyAndModelHasItsOwnBudget() {
        RateLimiter limiter = limiter(WindowKind.SLIDING);
        assertThat(admitted(limiter, "k1", "m1", 5)).isEqualTo(3);
        assertThat(admitted(limiter, "k2", "m1", 5)).isEqualTo(3);
        assertThat(admitted(limiter, "k1", "m2", 5)).isEqualTo(3);
    }

    @Test
    void fixedWindowsAreAlignedToEpochMultiplesOfW() {
        RateLimiter limiter = limiter(WindowKind.FIXED);
        clock.advance(Duration.ofSeconds(9));
        assertThat(admitted(limiter, "k", "m", 5)).isEqualTo(3);
        Admission rejected = limiter.admit("k", "m");
        assertThat(rejected)
                .isInstanceOfSatisfying(
                        Admission.Rejected.class,
                        r -> assertThat(r.retryAfter()).isEqualTo(Duration.ofSeconds(1)));

        clock.advance(Duration.ofSeconds(1)); // a new window: 3 more, 6 within one second
        assertThat(admitted(limiter, "k", "m", 5)).isEqualTo(3);
    }

    @Test
    void admittedReportsRemainingAndReset() {
        RateLimiter limiter = limiter(WindowKind.SLIDING);
        assertThat(limiter.admit("k", "m")).isInstanceOfSatisfying(Admission.Admitted.class, a -> {
            assertThat(a.requests().remaining()).isEqualTo(2);
            assertThat(a.requests().resetIn()).isEqualTo(W);
        });
    }

    @Test
    void unlimitedAdmitsEverything() {
        RateLimiter limiter = new RateLimiter(Limit.unlimited(), WindowKind.SLIDING, clock);
        assertThat(limiter.admit("k", "m")).isInstanceOf(Admission.Unmetered.class);
    }

    @Test
    void aNewLimitStartsAfreshButTheSameOneKeepsState() {
        RateLimiter limiter = limiter(WindowKind.SLIDING);
        admitted(limiter, "k", "m", 3);
        limiter.configure(Limit.of(3, W), WindowKind.SLIDING);
        assertThat(admitted(limiter, "k", "m", 1)).isZero();
        limiter.configure(Limit.of(4, W), WindowKind.SLIDING);
        assertThat(admitted(limiter, "k", "m", 5)).isEqualTo(4);
        limiter.clear();
        assertThat(admitted(limiter, "k", "m", 5)).isEqualTo(4);
    }
}
