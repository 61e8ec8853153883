package dev.sluice.db.batch;

import dev.sluice.common.BatchStatus;
import java.time.Instant;
import java.util.List;

/**
 * A batch as stored. Counts and usage are null until the batch is finalised; while it runs they
 * are read from the counts kept with its jobs ({@link BatchRepository#liveCounts}).
 */
public record BatchRow(
        String id,
        String tenantId,
        BatchStatus status,
        String endpoint,
        String completionWindow,
        String inputFileId,
        String outputFileId,
        String errorFileId,
        String metadataJson,
        String webhookUrl,
        int priority,
        int requestTotal,
        Integer requestCompleted,
        Integer requestFailed,
        Usage usage,
        String errorsJson,
        Instant createdAt,
        Instant inProgressAt,
        Instant expiresAt,
        Instant finalizingAt,
        Instant completedAt,
        Instant failedAt,
        Instant expiredAt,
        Instant cancellingAt,
        Instant cancelledAt,
        List<String> webhookEvents) {}
