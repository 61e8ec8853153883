package dev.sluice.db.job;

import dev.sluice.common.JobStatus;
import java.time.Instant;

/**
 * A job as the admin API lists it: everything but the request and response bodies.
 *
 * @param id               the job id
 * @param tenantId         its tenant
 * @param batchId          its batch, or null for a single job
 * @param lineNo           its 1-based line in the batch, or null
 * @param customId         the client's id, or null
 * @param url              the endpoint path
 * @param model            the model
 * @param priority         0-9
 * @param status           the status
 * @param attempts         upstream calls made
 * @param createdAt        submitted
 * @param startedAt        first claimed, or null
 * @param completedAt      finished, or null
 * @param responseStatus   the provider's HTTP status, or null
 * @param errorCode        why it did not succeed, or null
 * @param errorMessage     the same in words, or null
 * @param promptTokens     usage, or null
 * @param completionTokens usage, or null
 * @param totalTokens      usage, or null
 * @param latencyMs        the last attempt's latency, or null
 */
public record AdminJob(
        String id,
        String tenantId,
        String batchId,
        Integer lineNo,
        String customId,
        String url,
        String model,
        int priority,
        JobStatus status,
        int attempts,
        Instant createdAt,
        Instant startedAt,
        Instant completedAt,
        Integer responseStatus,
        String errorCode,
        String errorMessage,
        Integer promptTokens,
        Integer completionTokens,
        Integer totalTokens,
        Integer latencyMs) {}
