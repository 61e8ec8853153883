package dev.sluice.worker.execution;

import dev.sluice.worker.WorkerProperties;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The wait before the next attempt after a transient failure: "full jitter" — a uniformly random wait
 * between zero and an exponential ceiling (the initial backoff doubled per attempt, capped), so that
 * jobs that failed together, say during an outage, come back spread out rather than together.
 */
final class Backoff {

    private final Duration initial;
    private final Duration max;

    Backoff(WorkerProperties.Retry retry) {
        this.initial = retry.initialBackoff();
        this.max = retry.maxBackoff();
    }

    /** The wait after the {@code attempts}-th attempt failed. */
    Duration after(int attempts) {
        return after(attempts, ThreadLocalRandom.current().nextDouble());
    }

    /** The same for a given {@code roll} in [0, 1): 0 gives no wait, near 1 the whole ceiling. */
    Duration after(int attempts, double roll) {
        return Duration.ofMillis((long) (roll * ceiling(attempts).toMillis()));
    }

    /** The longest wait after the {@code attempts}-th attempt failed. */
    Duration ceiling(int attempts) {
        int doublings = Math.min(Math.max(attempts - 1, 0), 30);
        Duration exponential = initial.multipliedBy(1L << doublings);
        return exponential.compareTo(max) > 0 ? max : exponential;
    }
}
