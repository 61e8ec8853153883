package dev.sluice.db.job;

/**
 * What a finished attempt stores on its job.
 *
 * @param responseStatus   the provider's HTTP status, or null when no response came
 * @param responseBody     the provider's body as received, or null
 * @param errorCode        Sluice's code for a non-HTTP failure ({@code request_timeout}, ...), or null
 * @param errorMessage     a human explanation of that failure, or null
 * @param promptTokens     from the provider's {@code usage}, or null
 * @param completionTokens from the provider's {@code usage}, or null
 * @param totalTokens      from the provider's {@code usage}, or null
 * @param latencyMs        how long the upstream call took
 * @param cached           whether the answer came from the response cache, not the provider; stored by the same
 *                         conditional update that finishes the job, so a finish that lost its claim marks nothing
 */
public record Outcome(
        Integer responseStatus,
        String responseBody,
        String errorCode,
        String errorMessage,
        Integer promptTokens,
        Integer completionTokens,
        Integer totalTokens,
        int latencyMs,
        boolean cached) {

    /** An outcome from the provider (or from no response at all), not from the cache. */
    public Outcome(
            Integer responseStatus,
            String responseBody,
            String errorCode,
            String errorMessage,
            Integer promptTokens,
            Integer completionTokens,
            Integer totalTokens,
            int latencyMs) {
        this(
                responseStatus,
                responseBody,
                errorCode,
                errorMessage,
                promptTokens,
                completionTokens,
                totalTokens,
                latencyMs,
                false);
    }
}
