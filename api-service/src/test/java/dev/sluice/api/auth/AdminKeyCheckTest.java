package dev.sluice.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Failed admin logins are throttled per client address, on a clock the test moves. */
class AdminKeyCheckTest {

    private static final String KEY = "s3cret-admin-key-0001";

    private final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final AdminKeyCheck check = new AdminKeyCheck(
            AdminKeyInterceptorTest.properties(KEY), new AdminLoginSettings(10, Duration.ofMinutes(1)), clock);

    @Test
    void tenFailuresInAMinuteThrottleTheAddressUntilTheOldestLeavesTheWindow() {
        for (int i = 0; i < 10; i++) {
            assertThat(check.check("wrong-" + i, "203.0.113.7")).isInstanceOf(AdminKeyCheck.Refused.class);
            clock.advance(Duration.ofSeconds(2));
        }
        // 20 s after the first failure: it leaves the window 40 s from now.
        assertThat(check.check("wrong-again", "203.0.113.7"))
                .isEqualTo(new AdminKeyCheck.Throttled(Duration.ofSeconds(40)));
        assertThat(check.check(KEY, "203.0.113.7"))
                .as("even the right key waits")
                .isInstanceOf(AdminKeyCheck.Throttled.class);
        assertThat(check.check(KEY, "203.0.113.8"))
                .as("another address is not held back")
                .isInstanceOf(AdminKeyCheck.Accepted.class);

        clock.advance(Duration.ofSeconds(40));
        assertThat(check.check(KEY, "203.0.113.7")).isInstanceOf(AdminKeyCheck.Accepted.class);
    }

    @Test
    void failuresSpreadOverMoreThanAMinuteNeverThrottle() {
        for (int i = 0; i < 30; i++) {
            assertThat(check.check("wrong-" + i, "203.0.113.9")).isInstanceOf(AdminKeyCheck.Refused.class);
            clock.advance(Duration.ofSeconds(7));
        }
    }

    @Test
    void aSuccessForgetsTheFailuresAndAMissingKeyIsNotCounted() {
        for (int i = 0; i < 9; i++) {
            check.check("wrong-" + i, "198.51.100.1");
        }
        assertThat(check.check(KEY, "198.51.100.1")).isInstanceOf(AdminKeyCheck.Accepted.class);
        for (int i = 0; i < 9; i++) {
            check.check("wrong-" + i, "198.51.100.1");
        }
        for (int i = 0; i < 20; i++) {
            assertThat(check.check(null, "198.51.100.1")).isInstanceOf(AdminKeyCheck.Refused.class);
        }
        assertThat(check.check("wrong-last", "198.51.100.1")).isInstanceOf(AdminKeyCheck.Refused.class);
        assertThat(check.check(KEY, "198.51.100.1")).isInstanceOf(AdminKeyCheck.Throttled.class);
    }

    @Test
    void parallelGuessesGetNoMoreThanTheLimitCompared() throws Exception {
        List<Future<AdminKeyCheck.Outcome>> outcomes = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 200; i++) {
                String guess = "wrong-" + i;
                outcomes.add(pool.submit(() -> check.check(guess, "203.0.113.50")));
            }
        }
        long refused = 0;
        for (Future<AdminKeyCheck.Outcome> outcome : outcomes) {
            refused += outcome.get() instanceof AdminKeyCheck.Refused ? 1 : 0;
        }
        assertThat(refused).isEqualTo(10);
    }

    @Test
    void manyAddressesAreBounded() {
        for (int i = 0; i < AdminKeyCheck.MAX_ADDRESSES + 50; i++) {
            check.check("wrong", "addr-" + i);
        }
        assertThat(check.trackedAddresses()).isEqualTo(AdminKeyCheck.MAX_ADDRESSES);
    }

    @Test
    void withoutAnAdminKeyNothingIsAccepted() {
        AdminKeyCheck off = new AdminKeyCheck(
                AdminKeyInterceptorTest.properties(null), new AdminLoginSettings(10, Duration.ofMinutes(1)), clock);
        assertThat(off.check("anything-at-all-long", "203.0.113.7")).isInstanceOf(AdminKeyCheck.Disabled.class);
    }
}
