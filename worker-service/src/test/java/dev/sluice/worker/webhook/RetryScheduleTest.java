package dev.sluice.worker.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {

    private static final List<Duration> WAITS =
            List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30));

    @Test
    void eachFailedAttemptWaitsTheNextStepOfTheScheduleThenNoMore() {
        RetrySchedule schedule = new RetrySchedule(WAITS, 0.0, () -> 0.9);

        assertThat(schedule.after(1)).contains(Duration.ofSeconds(5));
        assertThat(schedule.after(2)).contains(Duration.ofMinutes(5));
        assertThat(schedule.after(3)).contains(Duration.ofMinutes(30));
        assertThat(schedule.after(4)).isEmpty();
        assertThat(schedule.after(0)).isEmpty();
    }

    @Test
    void jitterMovesAWaitByAtMostItsFractionEitherWay() {
        assertThat(new RetrySchedule(WAITS, 0.2, () -> 0.0).after(2)).contains(Duration.ofMinutes(4));
        assertThat(new RetrySchedule(WAITS, 0.2, () -> 0.5).after(2)).contains(Duration.ofMinutes(5));
        assertThat(new RetrySchedule(WAITS, 0.2, () -> 0.999_999).after(2).orElseThrow())
                .isLessThanOrEqualTo(Duration.ofMinutes(6))
                .isGreaterThan(Duration.ofSeconds(359));
    }
}
