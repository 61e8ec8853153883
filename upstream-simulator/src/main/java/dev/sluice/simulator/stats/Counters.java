package dev.sluice.simulator.stats;

import dev.sluice.simulator.limit.RateLimiter;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/** The live counters behind one {@link ModelStats}: lock-free except for the arrival timeline. */
final class Counters {

    final LongAdder requests = new LongAdder();
    final LongAdder accepted = new LongAdder();
    final LongAdder answered = new LongAdder();
    final LongAdder rateLimited = new LongAdder();
    final LongAdder rateLimitedTokens = new LongAdder();
    final LongAdder tokensCharged = new LongAdder();
    final LongAdder tokensUsed = new LongAdder();
    final LongAdder[] errors = new LongAdder[ErrorKind.values().length];
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxConcurrency = new AtomicInteger();
    final Timeline arrivals = new Timeline();
    final Timeline extraArrivals = new Timeline();
    final Timeline tokenCharges = new Timeline();
    final AtomicReference<Instant> firstArrival = new AtomicReference<>();

    Counters() {
        for (int i = 0; i < errors.length; i++) {
            errors[i] = new LongAdder();
        }
    }

    /** A request arrived at {@code at}: the first one's instant is kept. */
    void arrived(Instant at) {
        if (firstArrival.get() == null) {
            firstArrival.compareAndSet(null, at);
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

    /** Snapshot; each window's maxima only when that window is on, with its W. */
    ModelStats snapshot(RateLimiter.Policy policy) {
        Integer any = null;
        Integer fixed = null;
        if (!policy.requests().isUnlimited()) {
            long[] m = arrivals.maxima(policy.requests().window().toNanos());
            any = (int) m[0];
            fixed = (int) m[1];
        }
        Integer extra = policy.extra().isUnlimited()
                ? null
                : (int) extraArrivals.maxima(policy.extra().window().toNanos())[0];
        Long tokensAny = null;
        Long tokensFixed = null;
        if (!policy.tokens().isUnlimited()) {
            long[] m = tokenCharges.maxima(policy.tokens().window().toNanos());
            tokensAny = m[0];
            tokensFixed = m[1];
        }
        long limited = rateLimited.sum();
        long limitedTokens = rateLimitedTokens.sum();
        return new ModelStats(
                requests.sum(),
                accepted.sum(),
                answered.sum(),
                limited,
                errorCounts(),
                inFlight.get(),
                maxConcurrency.get(),
                any,
                fixed,
                limited - limitedTokens,
                limitedTokens,
                extra,
                tokensCharged.sum(),
                tokensUsed.sum(),
                tokensAny,
                tokensFixed,
                firstArrival.get());
    }
}
