package dev.sluice.simulator.stats;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** The live counters behind one {@link ModelStats}: lock-free except for the arrival timeline. */
final class Counters {

    final LongAdder requests = new LongAdder();
    final LongAdder accepted = new LongAdder();
    final LongAdder answered = new LongAdder();
    final LongAdder rateLimited = new LongAdder();
    final LongAdder[] errors = new LongAdder[ErrorKind.values().length];
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxConcurrency = new AtomicInteger();
    final Timeline arrivals = new Timeline();

    Counters() {
        for (int i = 0; i < errors.length; i++) {
            errors[i] = new LongAdder();
        }
    }

    void enter() {
        requests.increment();
        int now = inFlight.incrementAndGet();
        maxConcurrency.accumulateAndGet(now, Math::max);
    }

    void exit() {
        inFlight.decrementAndGet();
    }

    ErrorCounts errorCounts() {
        long[] byKind = new long[errors.length];
        for (int i = 0; i < errors.length; i++) {
            byKind[i] = errors[i].sum();
        }
        return ErrorCounts.of(byKind);
    }

    /** Snapshot; window maxima only when {@code windowNanos > 0}, that is when a limit is set. */
    ModelStats snapshot(long windowNanos) {
        Integer any = null;
        Integer fixed = null;
        if (windowNanos > 0) {
            int[] m = arrivals.maxima(windowNanos);
            any = m[0];
            fixed = m[1];
        }
        return new ModelStats(requests.sum(), accepted.sum(), answered.sum(), rateLimited.sum(), errorCounts(),
                inFlight.get(), maxConcurrency.get(), any, fixed);
    }
}
