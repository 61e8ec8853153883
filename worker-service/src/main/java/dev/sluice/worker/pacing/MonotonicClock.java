package dev.sluice.worker.pacing;

/**
 * A monotonic clock in nanoseconds, for measuring how long something took on this process (how old a
 * grant is, how long since the margin last widened) — never a wall time, and meaningless across
 * processes. {@link #system()} in production; tests tick one of their own.
 */
@FunctionalInterface
public interface MonotonicClock {

    /** Nanoseconds since an arbitrary fixed origin; only differences between two readings mean anything. */
    long nanos();

    /** {@link System#nanoTime()}. */
    static MonotonicClock system() {
        return System::nanoTime;
    }
}
