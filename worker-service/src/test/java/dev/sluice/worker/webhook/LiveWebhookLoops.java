package dev.sluice.worker.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Ids;
import dev.sluice.db.job.Outcome;
import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.WorkerIntegrationTest;
import dev.sluice.worker.finalization.BatchFinalizer;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * For tests of the webhook loops as they run in a worker (announced by PostgreSQL, V28), rather than driven with
 * {@code runOnce()}: a receiver, finished subjects with a webhook, and the event's state.
 */
abstract class LiveWebhookLoops extends WorkerIntegrationTest {

    static final Outcome ANSWER = new Outcome(200, "{\"object\":\"chat.completion\"}", null, null, 1, 2, 3, 10);

    /** What the admin API's redelivery does to an event. */
    static final String REDELIVER = """
            UPDATE webhook_events
               SET status = 'pending', round_attempts = 0, next_attempt_at = now(), delivered_at = NULL
             WHERE id = :id
            """;

    @Autowired
    BatchFinalizer finalizer;

    @Autowired
    JdbcClient jdbc;

    final WebhookReceiver receiver = WebhookReceiver.start();

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    /** A one-job batch with a webhook to {@code webhookUrl}, stored; its job not yet finished. */
    SubmittedBatch batchWithWebhook(String webhookUrl) {
        return submissions
                .batch()
                .webhook(webhookUrl, newSecret())
                .chat("webhook/live", "done")
                .store();
    }

    /** Finishes the batch's job and finalises the batch. */
    void complete(SubmittedBatch batch) {
        String jobId = batch.jobIds().getFirst();
        transitions.claim(jobId, "test-worker", Duration.ofSeconds(60)).orElseThrow();
        assertThat(transitions.markSucceeded(jobId, "test-worker", ANSWER, Instant.now()))
                .isTrue();
        finalizer.afterJobFinished(batch.batchId());
    }

    /** A one-job batch with a webhook, its job succeeded and the batch finalised. */
    SubmittedBatch completedBatch(String webhookUrl) {
        SubmittedBatch batch = batchWithWebhook(webhookUrl);
        complete(batch);
        return batch;
    }

    /** A single job with a webhook, succeeded. */
    String succeededSingleJob(String webhookUrl) {
        String tenantId = Ids.tenant();
        submissions.tenant(tenantId, "live", newSecret());
        String jobId = Ids.job();
        Instant now = Instant.now();
        jobs.insertAll(List.of(WebhookJobs.single(jobId, tenantId, "webhook/live", webhookUrl)), now);
        transitions.claim(jobId, "test-worker", Duration.ofSeconds(60)).orElseThrow();
        assertThat(transitions.markSucceeded(jobId, "test-worker", ANSWER, now)).isTrue();
        return jobId;
    }

    String eventOf(String subjectId) {
        return jdbc.sql("SELECT id FROM webhook_events WHERE subject_id = :id")
                .param("id", subjectId)
                .query(String.class)
                .single();
    }

    String status(String eventId) {
        return jdbc.sql("SELECT status FROM webhook_events WHERE id = :id")
                .param("id", eventId)
                .query(String.class)
                .single();
    }

    static String newSecret() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }
}
