package dev.sluice.simulator.limit;

import java.time.Duration;

/**
 * One budget of {@code capacity} units per window W, counted when charged: a request is 1 unit of a request
 * window, its tokens are units of a token window. Times are epoch nanoseconds, never earlier than the last
 * one seen (the owning {@link Budgets} makes them monotonic). Not thread-safe: {@link Budgets} holds the lock.
 */
abstract class Window {

    /** What a charge is, so a later correction can find it (or learn that it has left the window). */
    interface Entry {}

    /** How many units fit in one window. */
    final long capacity;
    /** The window length W in nanoseconds. */
    final long w;

    Window(long capacity, Duration length) {
        this.capacity = capacity;
        this.w = length.toNanos();
    }

    final long capacity() {
        return capacity;
    }

    final Duration length() {
        return Duration.ofNanos(w);
    }

    /** Units charged in the window that holds {@code now}. */
    abstract long used(long now);

    /**
     * How long until {@code amount} more would fit: zero when it fits now, null when it never can (more than
     * the whole capacity).
     */
    abstract Duration waitFor(long now, long amount);

    /** Time until the budget is whole again (nothing charged left in it); zero when nothing is charged. */
    abstract Duration resetIn(long now);

    /** Counts {@code amount} at {@code now}; the caller has checked {@link #waitFor}. */
    abstract Entry charge(long now, long amount);

    /**
     * Changes {@code entry}'s amount to {@code amount} (a refund when smaller, an extra charge when larger),
     * if it still counts in the window; one that has left the window counts nothing any more.
     */
    abstract void correct(Entry entry, long amount);

    /** A window of {@code kind}. */
    static Window of(WindowKind kind, long capacity, Duration length) {
        return kind == WindowKind.SLIDING ? new SlidingWindow(capacity, length) : new FixedWindow(capacity, length);
    }
}
