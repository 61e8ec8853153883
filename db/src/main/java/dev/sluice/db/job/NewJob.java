package dev.sluice.db.job;

import dev.sluice.common.TokenEstimate;
import java.util.List;

/**
 * A job about to be stored.
 *
 * @param id         the new job's id
 * @param tenantId   its owner
 * @param batchId    its batch, or null for a single job
 * @param lineNo     1-based line in the batch, or null for a single job
 * @param customId   the client's id for it, or null
 * @param url        the endpoint path
 * @param model      the model, which names its queue
 * @param body       the request body as valid JSON text
 * @param priority   0-9
 * @param webhookUrl where a single job's terminal event goes, or null
 * @param webhookEvents the terminal event types its webhook wants ({@code job.succeeded}, ...), or null for all
 * @param tokens     what it is expected to cost against a token limit, estimated at submission
 */
public record NewJob(
        String id,
        String tenantId,
        String batchId,
        Integer lineNo,
        String customId,
        String url,
        String model,
        String body,
        int priority,
        String webhookUrl,
        List<String> webhookEvents,
        TokenEstimate tokens) {

    public NewJob {
        tokens = tokens == null ? TokenEstimate.UNKNOWN : tokens;
    }

    /** A job without a token estimate (its prompt counts 0, its answer its model's default). */
    public NewJob(
            String id,
            String tenantId,
            String batchId,
            Integer lineNo,
            String customId,
            String url,
            String model,
            String body,
            int priority,
            String webhookUrl,
            List<String> webhookEvents) {
        this(id, tenantId, batchId, lineNo, customId, url, model, body, priority, webhookUrl, webhookEvents, null);
    }

    /** A job whose webhook (if any) wants every terminal event type. */
    public NewJob(
            String id,
            String tenantId,
            String batchId,
            Integer lineNo,
            String customId,
            String url,
            String model,
            String body,
            int priority,
            String webhookUrl) {
        this(id, tenantId, batchId, lineNo, customId, url, model, body, priority, webhookUrl, null, null);
    }
}
