package dev.sluice.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.worker.WorkerProperties;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = new Backoff(
            new WorkerProperties.Retry(5, Duration.ofSeconds(1), Duration.ofSeconds(10)));

    @Test
    void theCeilingDoublesPerAttemptAndTheWaitIsAnywhereBelowIt() {
        assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.ceiling(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.ceiling(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(backoff.after(3, 0.0)).isEqualTo(Duration.ZERO);
        assertThat(backoff.after(3, 0.5)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.after(3, 0.999)).isBetween(Duration.ofMillis(3_990), Duration.ofSeconds(4));
    }

    @Test
    void isCappedAtTheMaximum() {
        assertThat(backoff.ceiling(5)).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.ceiling(40)).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.after(40, 0.999)).isLessThanOrEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void randomWaitsSpreadOverTheWholeRange() {
        java.util.List<Duration> waits = java.util.stream.IntStream.range(0, 2_000)
                .mapToObj(i -> backoff.after(4)).toList();
        assertThat(waits).allMatch(w -> !w.isNegative() && w.compareTo(Duration.ofSeconds(8)) < 0);
        assertThat(waits).anyMatch(w -> w.compareTo(Duration.ofSeconds(1)) < 0);
        assertThat(waits).anyMatch(w -> w.compareTo(Duration.ofSeconds(7)) > 0);
    }
}
