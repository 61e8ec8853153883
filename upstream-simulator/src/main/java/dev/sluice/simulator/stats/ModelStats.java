package dev.sluice.simulator.stats;

import java.time.Instant;

/**
 * What happened to the requests for one model (or one model under one API key) since the last reset.
 * Requests rejected before the model was known (401, bad JSON, unknown model) are only in {@link Totals}.
 *
 * @param requests valid requests that reached the limiter
 * @param accepted requests the limiter admitted (they used budget); answered + errors + in flight
 * @param answered admitted requests answered 2xx (counted as the answer is sent, a stream as it starts)
 * @param rateLimited requests answered 429, by any window
 * @param errors admitted requests that met a fault or a broken stream
 * @param inFlight requests being handled now (a request leaves as its answer is sent)
 * @param maxConcurrency the most requests in flight at once, 429s included (they are in flight briefly)
 * @param maxInAnyWindow the most accepted arrivals in any interval (t - W, t], W being the current limit's
 *     window, whatever the window kind; null when unlimited. A correct client keeps it at or under N
 * @param maxInFixedWindow the most accepted arrivals in one epoch-aligned window [kW, (k+1)W); null when
 *     unlimited. Under a fixed-window limit it is at most N while maxInAnyWindow may reach 2N
 * @param rateLimitedRequests the 429s refused by a request window ({@code limit} or {@code extra_limit})
 * @param rateLimitedTokens the 429s refused by the token budget ({@code tpm}); the two add up to rateLimited
 * @param maxInAnyExtraWindow the most accepted arrivals in any interval of the extra limit's window, as
 *     maxInAnyWindow; null without an extra limit
 * @param tokensCharged the tokens charged to admitted requests under a token budget, each as finally
 *     corrected (its usage when answered, its arrival charge when it failed); 0 without a budget
 * @param tokensUsed the {@code usage.total_tokens} of every answered request, budget or not
 * @param maxTokensInAnyWindow the most tokens charged (as corrected, at each request's arrival) in any
 *     interval (t - W, t] of the token window; null without a token budget. Counted when a request ends, so
 *     requests in flight are not in it yet
 * @param maxTokensInFixedWindow the same per epoch-aligned token window; null without a token budget
 * @param firstArrivalAt when the first of these requests reached the limiter (the simulator's clock, microseconds);
 *     null before any. What a client measures its first call's arrival by
 */
public record ModelStats(
        long requests,
        long accepted,
        long answered,
        long rateLimited,
        ErrorCounts errors,
        int inFlight,
        int maxConcurrency,
        Integer maxInAnyWindow,
        Integer maxInFixedWindow,
        long rateLimitedRequests,
        long rateLimitedTokens,
        Integer maxInAnyExtraWindow,
        long tokensCharged,
        long tokensUsed,
        Long maxTokensInAnyWindow,
        Long maxTokensInFixedWindow,
        Instant firstArrivalAt) {

    /** No requests at all. */
    public static final ModelStats EMPTY =
            new ModelStats(0, 0, 0, 0, ErrorCounts.NONE, 0, 0, null, null, 0, 0, null, 0, 0, null, null, null);
}
