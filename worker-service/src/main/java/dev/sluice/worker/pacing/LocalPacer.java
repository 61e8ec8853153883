package dev.sluice.worker.pacing;

import dev.sluice.common.Limit;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A sliding-window pacer for one model in one worker: a dispatch is allowed only once the N-th previous
 * dispatch is at least W + margin old, so no window of length W ever holds more than N dispatches, and a
 * burst of N goes at once, then one more as each slot frees.
 *
 * <p>The margin absorbs the difference between when a request is counted here and when the provider sees
 * it arrive (DESIGN §4). Time comes from the injected {@link InstantSource}, so tests tick a clock instead
 * of sleeping; only {@link #acquire()} sleeps, between its non-blocking tries.
 */
final class LocalPacer implements Pacer {

    private final InstantSource clock;
    private final Duration margin;
    private final ReentrantLock lock = new ReentrantLock();
    /** The last up to N dispatch times, oldest first. */
    private final Deque<Instant> dispatches = new ArrayDeque<>();
    private Limit limit;
    private Instant pausedUntil = Instant.MIN;

    LocalPacer(Limit limit, Duration margin, InstantSource clock) {
        this.limit = Objects.requireNonNull(limit, "limit");
        this.margin = Objects.requireNonNull(margin, "margin");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void acquire() throws InterruptedException {
        for (Duration wait = tryAcquire(); !wait.isZero(); wait = tryAcquire()) {
            Thread.sleep(wait);
        }
    }

    /**
     * Counts a dispatch at the current instant if one fits, returning {@link Duration#ZERO}; otherwise counts
     * nothing and returns how long until one may fit (another caller may take that slot first).
     */
    Duration tryAcquire() {
        lock.lock();
        try {
            Instant now = clock.instant();
            Instant allowedAt = nextAllowedAt();
            if (now.isBefore(allowedAt)) {
                return Duration.between(now, allowedAt);
            }
            dispatches.addLast(now);
            while (dispatches.size() > limit.requests()) {
                dispatches.removeFirst();
            }
            return Duration.ZERO;
        } finally {
            lock.unlock();
        }
    }

    /** The earliest instant the next dispatch may leave; call with the lock held. */
    private Instant nextAllowedAt() {
        Instant allowed = pausedUntil;
        if (dispatches.size() >= limit.requests()) {
            Instant nthPrevious = dispatches.peekFirst();
            Instant slotFrees = nthPrevious.plus(limit.window()).plus(margin);
            allowed = slotFrees.isAfter(allowed) ? slotFrees : allowed;
        }
        return allowed;
    }

    @Override
    public void pauseUntil(Instant until) {
        lock.lock();
        try {
            if (until.isAfter(pausedUntil)) {
                pausedUntil = until;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void learn(Limit learned) {
        lock.lock();
        try {
            limit = limit.stricter(learned);
            // A smaller N: the window keeps only the newest N dispatches, which are the ones that count.
            while (dispatches.size() > limit.requests()) {
                dispatches.removeFirst();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Limit limit() {
        lock.lock();
        try {
            return limit;
        } finally {
            lock.unlock();
        }
    }
}
