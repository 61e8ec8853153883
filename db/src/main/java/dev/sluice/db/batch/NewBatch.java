package dev.sluice.db.batch;

import java.time.Instant;
import java.util.List;

/**
 * A batch about to be stored, with its jobs inserted in the same transaction.
 *
 * @param id               the new batch's id
 * @param tenantId         its owner
 * @param endpoint         the endpoint every line calls
 * @param completionWindow as the client gave it, e.g. {@code 24h}
 * @param inputFileId      the uploaded input file, or null for an inline batch
 * @param metadataJson     the client's metadata object as JSON, or null
 * @param webhookUrl       where to POST the terminal event, or null
 * @param priority         0-9
 * @param requestTotal     how many jobs it has
 * @param createdAt        now
 * @param expiresAt        when unstarted jobs expire
 * @param webhookEvents    the terminal event types its webhook wants ({@code batch.completed}, ...), or null for all
 */
public record NewBatch(
        String id,
        String tenantId,
        String endpoint,
        String completionWindow,
        String inputFileId,
        String metadataJson,
        String webhookUrl,
        int priority,
        int requestTotal,
        Instant createdAt,
        Instant expiresAt,
        List<String> webhookEvents) {

    /** A batch whose webhook (if any) wants every terminal event type. */
    public NewBatch(
            String id,
            String tenantId,
            String endpoint,
            String completionWindow,
            String inputFileId,
            String metadataJson,
            String webhookUrl,
            int priority,
            int requestTotal,
            Instant createdAt,
            Instant expiresAt) {
        this(
                id,
                tenantId,
                endpoint,
                completionWindow,
                inputFileId,
                metadataJson,
                webhookUrl,
                priority,
                requestTotal,
                createdAt,
                expiresAt,
                null);
    }
}
