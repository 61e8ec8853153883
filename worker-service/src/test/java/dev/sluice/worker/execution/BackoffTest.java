package dev.sluice.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.worker.WorkerProperties;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = new Backoff(
            new WorkerProperties.Retry(5, Duration.ofSeconds(1), Duration.ofSeconds(10)));

    @Test
    void doublesPerAttemptWithJitterOverTheUpperHalf() {
        assertThat(backoff.after(1, 0.0)).isEqualTo(Duration.ofMillis(500));
        assertThat(backoff.after(1, 0.999)).isBetween(Duration.ofMillis(990), Duration.ofSeconds(1));
        assertThat(backoff.after(2, 0.0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.after(3, 0.0)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void isCappedAtTheMaximum() {
        assertThat(backoff.after(5, 0.999)).isLessThanOrEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.after(40, 0.0)).isEqualTo(Duration.ofSeconds(5));
    }
}
