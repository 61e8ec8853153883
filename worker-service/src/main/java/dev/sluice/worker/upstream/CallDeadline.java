package dev.sluice.worker.upstream;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Bounds a blocking call as a whole: once it outlives its time, the calling thread is interrupted, which on a virtual
 * thread closes the socket it is blocked on (a provider that trickles its answer byte by byte is cut off as surely as
 * one that never answers). The interrupt is never left behind: {@link #end} clears the one it caused, and a deadline
 * that passes after the call ended does nothing. One timer thread serves every call; it only interrupts.
 */
final class CallDeadline {

    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private final Thread caller = Thread.currentThread();
    private final ScheduledFuture<?> expiry;
    private boolean ended;
    private boolean expired;

    /** Starts the deadline of the calling thread's call: {@code after} from now. */
    CallDeadline(Duration after) {
        this.expiry = TIMER.schedule(this::expire, after.toNanos(), TimeUnit.NANOSECONDS);
    }

    private synchronized void expire() {
        if (!ended) {
            expired = true;
            caller.interrupt();
        }
    }

    /** Ends the call (again: no effect); true when the deadline passed first, its interrupt cleared. */
    synchronized boolean end() {
        if (!ended) {
            ended = true;
            expiry.cancel(false);
            if (expired) {
                Thread.interrupted();
            }
        }
        return expired;
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(
                1,
                Thread.ofPlatform().name("sluice-upstream-deadlines").daemon().factory());
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
