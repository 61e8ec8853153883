package dev.sluice.db.job;

/**
 * A job a worker has just claimed: what it needs to call the provider.
 *
 * @param id       the job
 * @param tenantId its owner
 * @param batchId  its batch, or null
 * @param url      the endpoint path
 * @param model    the model
 * @param body     the request body
 * @param priority 0-9
 * @param attempts upstream calls including this one
 */
public record ClaimedJob(
        String id,
        String tenantId,
        String batchId,
        String url,
        String model,
        String body,
        int priority,
        int attempts) {}
