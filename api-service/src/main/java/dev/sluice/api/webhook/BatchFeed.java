package dev.sluice.api.webhook;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One batch's open event streams and the newest event read for them. Only {@link BatchFeeds} touches it, always
 * inside its map's per-batch compute, so the streams, the newest event and the feed's removal change together; only
 * {@link #wake} and {@link #stop}, which just signal its poller, are called from anywhere.
 */
final class BatchFeed {

    private final String tenantId;
    private final String batchId;
    private final Set<BatchSubscription> subscriptions = new HashSet<>();
    private final Semaphore signals = new Semaphore(0);
    private volatile boolean stopped;
    private BatchEvent latest;

    BatchFeed(String tenantId, String batchId) {
        this.tenantId = tenantId;
        this.batchId = batchId;
    }

    String tenantId() {
        return tenantId;
    }

    String batchId() {
        return batchId;
    }

    /** Adds a stream; it gets the newest event at once, if one has been read. */
    void join(BatchSubscription subscription) {
        subscriptions.add(subscription);
        if (latest != null) {
            subscription.offer(latest);
        }
    }

    /** Removes a stream; true when it was the last one. */
    boolean leave(BatchSubscription subscription) {
        return subscriptions.remove(subscription) && subscriptions.isEmpty();
    }

    /** Hands {@code event} to every stream unless it says what the last one did. */
    void publish(BatchEvent event) {
        if (event.equals(latest)) {
            return;
        }
        latest = event;
        subscriptions.forEach(subscription -> subscription.offer(event));
    }

    /** Ends every stream after what it has pending. */
    void endAll() {
        subscriptions.forEach(BatchSubscription::end);
    }

    /** Stops the poller at its next wait, or ends its wait now. */
    void stop() {
        stopped = true;
        signals.release();
    }

    /** Ends the poller's wait now: the batch changed, read it. */
    void wake() {
        signals.release();
    }

    /** Waits one poll interval or until woken or stopped; true once the feed has been stopped. */
    boolean awaitStop(Duration interval) throws InterruptedException {
        if (!stopped && signals.tryAcquire(interval.toNanos(), TimeUnit.NANOSECONDS)) {
            // One read answers every signal given so far.
            signals.drainPermits();
        }
        return stopped;
    }
}
