package dev.sluice.worker.webhook;

import dev.sluice.db.job.NewJob;
import java.util.List;

/** Single jobs (no batch) with a webhook, as the webhook tests store them. */
final class WebhookJobs {

    private WebhookJobs() {}

    /** A single chat completion on {@code model} whose webhook wants every terminal event type. */
    static NewJob single(String jobId, String tenantId, String model, String webhookUrl) {
        return single(jobId, tenantId, model, webhookUrl, null);
    }

    /** A single chat completion on {@code model} whose webhook wants {@code events} (null: every type). */
    static NewJob single(String jobId, String tenantId, String model, String webhookUrl, List<String> events) {
        return new NewJob(
                jobId,
                tenantId,
                null,
                null,
                null,
                "/v1/chat/completions",
                model,
                "{\"model\":\"" + model + "\"}",
                0,
                webhookUrl,
                events);
    }
}
