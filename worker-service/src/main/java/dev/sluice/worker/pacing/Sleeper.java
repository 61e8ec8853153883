package dev.sluice.worker.pacing;

import java.time.Duration;

/**
 * Pauses the calling thread: {@link #system()} in production; tests substitute one that advances their
 * clock instead, so a wait costs them no real time.
 */
@FunctionalInterface
public interface Sleeper {

    /** Waits {@code duration}; an interrupt ends the wait early with {@link InterruptedException}. */
    void sleep(Duration duration) throws InterruptedException;

    /** {@link Thread#sleep(Duration)}. */
    static Sleeper system() {
        return Thread::sleep;
    }
}
