package dev.sluice.api.webhook;

/**
 * One event of a batch's progress stream, as its feed fans it out: {@code progress} while the batch runs, then
 * {@code batch.<status>} once it is settled. {@link #END} ends a stream without a frame (the batch is gone, or
 * the service is shutting down).
 *
 * @param name     the SSE event name; null for {@link #END}
 * @param progress what the event says; null for {@link #END}
 */
record BatchEvent(String name, BatchProgress progress) {

    /** Ends the stream without writing anything. */
    static final BatchEvent END = new BatchEvent(null, null);

    /** The batch's progress while it runs. */
    static BatchEvent progress(BatchProgress progress) {
        return new BatchEvent("progress", progress);
    }

    /** The batch's settled state, the stream's last event. */
    static BatchEvent settled(String status, BatchProgress progress) {
        return new BatchEvent("batch." + status, progress);
    }

    /** Whether the stream ends after this event. */
    boolean last() {
        return !"progress".equals(name);
    }
}
