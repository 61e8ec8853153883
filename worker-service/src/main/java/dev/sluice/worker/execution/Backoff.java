package dev.sluice.worker.execution;

import dev.sluice.worker.WorkerProperties;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The wait before the next attempt after a transient failure: exponential from the initial backoff,
 * capped, and jittered over its upper half so that jobs that failed together do not come back together.
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

    /** The same for a given {@code roll} in [0, 1): 0 gives half the exponential delay, near 1 all of it. */
    Duration after(int attempts, double roll) {
        int doublings = Math.min(Math.max(attempts - 1, 0), 30);
        Duration exponential = initial.multipliedBy(1L << doublings);
        Duration capped = exponential.compareTo(max) > 0 ? max : exponential;
        long halfMillis = capped.toMillis() / 2;
        return Duration.ofMillis(halfMillis + (long) (roll * (capped.toMillis() - halfMillis)));
    }
}
