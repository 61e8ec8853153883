package dev.sluice.db.job;

import dev.sluice.common.JobStatus;
import java.time.Instant;
import java.util.List;

/**
 * A job as stored, everything the API shows and the result files render. {@code body} and {@code responseBody} are
 * null once the retention sweep removed them ({@code contentExpiredAt} set; the job is finished).
 */
public record JobRow(
        String id,
        String tenantId,
        String batchId,
        Integer lineNo,
        String customId,
        String url,
        String model,
        String body,
        int priority,
        JobStatus status,
        int attempts,
        String webhookUrl,
        Instant createdAt,
        Instant startedAt,
        Instant completedAt,
        Integer responseStatus,
        String responseBody,
        String errorCode,
        String errorMessage,
        Integer promptTokens,
        Integer completionTokens,
        Integer totalTokens,
        Integer latencyMs,
        boolean cached,
        List<String> webhookEvents,
        Instant contentExpiredAt) {}
