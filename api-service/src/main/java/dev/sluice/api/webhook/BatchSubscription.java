package dev.sluice.api.webhook;

import java.time.Duration;

/**
 * One open event stream's mailbox in its batch's feed. It keeps only the newest event not yet taken: a stream
 * that writes slowly skips intermediate progress, never the settled event, which is the feed's last.
 */
final class BatchSubscription implements AutoCloseable {

    private final BatchFeeds feeds;
    private final String batchId;
    private BatchEvent pending;
    private boolean ended;
    private boolean closed;

    BatchSubscription(BatchFeeds feeds, String batchId) {
        this.feeds = feeds;
        this.batchId = batchId;
    }

    String batchId() {
        return batchId;
    }

    /** Hands the stream an event, replacing one it has not taken yet. */
    synchronized void offer(BatchEvent event) {
        pending = event;
        notifyAll();
    }

    /** Ends the stream once it has taken what is pending. */
    synchronized void end() {
        ended = true;
        notifyAll();
    }

    /**
     * The next event, waiting up to {@code timeout}: null when none came in that time, {@link BatchEvent#END}
     * once the stream has been ended.
     */
    synchronized BatchEvent next(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pending == null && !ended) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        if (pending == null) {
            return BatchEvent.END;
        }
        BatchEvent event = pending;
        pending = null;
        return event;
    }

    /** Leaves the feed; its poller stops with the batch's last stream. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        feeds.leave(this);
    }
}
