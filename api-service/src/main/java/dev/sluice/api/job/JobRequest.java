package dev.sluice.api.job;

import dev.sluice.api.tokens.TokenEstimator;
import dev.sluice.common.TokenEstimate;

/**
 * One request to the provider as a client described it, checked and ready to be stored as a job:
 * a line of a batch or a single job.
 *
 * @param customId the client's id for it, or null (single jobs only)
 * @param url      the endpoint path as given, or null when a batch line leaves it to the batch
 * @param model    the body's {@code model}, which names the job's queue
 * @param body     the body exactly as the client sent it (valid JSON, a JSON object)
 * @param tokens   what it is expected to cost against a token limit ({@link TokenEstimator})
 */
public record JobRequest(String customId, String url, String model, String body, TokenEstimate tokens) {

    /** The request with its tokens estimated from its body. */
    public JobRequest(String customId, String url, String model, String body) {
        this(customId, url, model, body, TokenEstimator.estimate(model, body));
    }
}
