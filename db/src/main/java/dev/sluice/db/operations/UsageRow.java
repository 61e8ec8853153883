package dev.sluice.db.operations;

import java.time.LocalDate;

/**
 * What one tenant spent on one model on one UTC day, counted over the jobs that finished that day
 * ({@code succeeded} or {@code failed}), those answered from the response cache included: their tokens are
 * the cached answer's, what the tenant received, though the provider was not called for them.
 *
 * @param tenantId         the tenant
 * @param tenantName       its name, as given when its first key was created
 * @param model            the model
 * @param day              the UTC day the jobs finished
 * @param requests         jobs finished ({@code succeeded} + {@code failed})
 * @param succeeded        of which succeeded
 * @param failed           of which failed
 * @param promptTokens     prompt tokens summed (jobs without usage count 0)
 * @param completionTokens completion tokens summed
 * @param totalTokens      total tokens summed
 * @param cacheHits        of the jobs, those answered from the response cache ({@code cached = true})
 * @param cachedTotalTokens of {@code totalTokens}, those of the cache hits: no provider call spent them
 * @param estimatedPromptTokens the prompt tokens estimated at submission, summed over the jobs the provider answered
 *                              with usage (cache hits left out)
 * @param countedPromptTokens   the prompt tokens the provider counted for those same jobs: beside the estimate, the
 *                              estimator's error for the model
 */
public record UsageRow(
        String tenantId,
        String tenantName,
        String model,
        LocalDate day,
        long requests,
        long succeeded,
        long failed,
        long promptTokens,
        long completionTokens,
        long totalTokens,
        long cacheHits,
        long cachedTotalTokens,
        long estimatedPromptTokens,
        long countedPromptTokens) {}
