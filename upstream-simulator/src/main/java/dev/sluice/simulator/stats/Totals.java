package dev.sluice.simulator.stats;

/**
 * Everything since the last reset, all models and keys together.
 *
 * @param requests valid requests that reached the limiter (sum over models)
 * @param accepted requests the limiter admitted
 * @param answered admitted requests answered 2xx
 * @param rateLimited requests answered 429
 * @param errors admitted requests that met a fault or a broken stream
 * @param unauthorized requests answered 401 (no or blank bearer key)
 * @param invalidRequest requests answered 400, 405 or 404 for an unknown model id
 * @param notFound requests answered 404 for an unknown or disabled path
 * @param inFlight valid requests being handled now
 * @param maxConcurrency the most valid requests in flight at once, over all models
 * @param rateLimitedTokens the 429s refused by the token budget (part of rateLimited)
 * @param tokensCharged tokens charged under a token budget, as corrected (see {@link ModelStats})
 * @param tokensUsed {@code usage.total_tokens} of every answered request
 */
public record Totals(
        long requests,
        long accepted,
        long answered,
        long rateLimited,
        ErrorCounts errors,
        long unauthorized,
        long invalidRequest,
        long notFound,
        int inFlight,
        int maxConcurrency,
        long rateLimitedTokens,
        long tokensCharged,
        long tokensUsed) {}
