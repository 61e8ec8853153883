package dev.sluice.worker.upstream;

/**
 * What a request waits for between its connection being ready and its bytes leaving: its pacer slot ({@code
 * GlobalPacer.awaitSlot}). The provider counts a request when it arrives, so the connection may be opened before the
 * slot, and only the request must wait for it.
 */
@FunctionalInterface
public interface Departure {

    /** A request that may leave as soon as its connection is ready. */
    Departure NOW = () -> {};

    /** Returns when the request may leave. */
    void await() throws InterruptedException;
}
