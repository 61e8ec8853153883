package dev.sluice.worker.webhook;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When a failed webhook is tried again: the n-th wait of the configured schedule, with up to {@code jitter} of it
 * added or taken off so that many events failing together do not all return together. Empty once the schedule
 * has run out.
 */
final class RetrySchedule {

    private final List<Duration> waits;
    private final double jitter;
    private final DoubleSupplier random;

    /** {@code random} gives numbers in [0, 1). */
    RetrySchedule(List<Duration> waits, double jitter, DoubleSupplier random) {
        this.waits = List.copyOf(waits);
        this.jitter = jitter;
        this.random = random;
    }

    /** The wait after the {@code attempt}-th attempt (from 1) failed, or empty when it was the last. */
    Optional<Duration> after(int attempt) {
        if (attempt < 1 || attempt > waits.size()) {
            return Optional.empty();
        }
        long millis = waits.get(attempt - 1).toMillis();
        double factor = 1 + jitter * (2 * random.getAsDouble() - 1);
        return Optional.of(Duration.ofMillis(Math.max(1, Math.round(millis * factor))));
    }
}
