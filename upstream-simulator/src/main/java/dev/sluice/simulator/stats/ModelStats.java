package dev.sluice.simulator.stats;

/**
 * What happened to the requests for one model (or one model under one API key) since the last reset.
 * Requests rejected before the model was known (401, bad JSON, unknown model) are only in {@link Totals}.
 *
 * @param requests valid requests that reached the limiter
 * @param accepted requests the limiter admitted (they used budget); answered + errors + in flight
 * @param answered admitted requests answered 2xx (counted as the answer is sent, a stream as it starts)
 * @param rateLimited requests answered 429
 * @param errors admitted requests that met a fault or a broken stream
 * @param inFlight requests being handled now (a request leaves as its answer is sent)
 * @param maxConcurrency the most requests in flight at once, 429s included (they are in flight briefly)
 * @param maxInAnyWindow the most accepted arrivals in any interval (t - W, t], W being the current limit's
 *     window, whatever the window kind; null when unlimited. A correct client keeps it at or under N
 * @param maxInFixedWindow the most accepted arrivals in one epoch-aligned window [kW, (k+1)W); null when
 *     unlimited. Under a fixed-window limit it is at most N while maxInAnyWindow may reach 2N
 */
public record ModelStats(long requests, long accepted, long answered, long rateLimited, ErrorCounts errors,
        int inFlight, int maxConcurrency, Integer maxInAnyWindow, Integer maxInFixedWindow) {

    /** No requests at all. */
    public static final ModelStats EMPTY = new ModelStats(0, 0, 0, 0, ErrorCounts.NONE, 0, 0, null, null);
}
