package dev.sluice.worker.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.WorkerIntegrationTest;
import dev.sluice.worker.finalization.BatchFinalizer;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;

/**
 * Webhook work whose announcement was missed (made here so that V28 announces nothing, as if no worker had been
 * listening) is still done, by the loops' safety period (2 s here; the period while not listening is an hour, so it is the safety
 * net, not the fallback, that finds it).
 */
@TestPropertySource(
        properties = {"sluice.webhook.listen=true", "sluice.webhook.interval=1h", "sluice.webhook.safety-interval=2s"})
class WebhookSafetyNetIT extends WorkerIntegrationTest {

    @Autowired
    private BatchFinalizer finalizer;

    @Autowired
    private JdbcClient jdbc;

    private final WebhookReceiver receiver = WebhookReceiver.start();

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void aBatchCompletedUnannouncedIsSweptAndDeliveredByTheSafetyPeriod() {
        String url = receiver.url("/missed");
        SubmittedBatch batch = submissions
                .batch()
                .webhook(url, WebhookWakeUpIT.newSecret())
                .chat("webhook/missed", "done")
                .store();
        // Without its webhook_url the batch's completion is not announced (V28); given back afterwards, the batch is
        // a finished subject without an event that nobody announced, as if no worker had listened.
        setWebhookUrl(batch.batchId(), null);
        String jobId = batch.jobIds().getFirst();
        transitions.claim(jobId, "test-worker", Duration.ofSeconds(60)).orElseThrow();
        assertThat(transitions.markSucceeded(jobId, "test-worker", WebhookWakeUpIT.ANSWER, Instant.now()))
                .isTrue();
        finalizer.afterJobFinished(batch.batchId());
        setWebhookUrl(batch.batchId(), url);

        await().atMost(Duration.ofSeconds(15)).until(() -> receiver.received().size() == 1);
        assertThat(receiver.received().getFirst().body()).contains("\"id\":\"" + batch.batchId() + "\"");
    }

    @Test
    void anEventDueUnannouncedIsSentByTheSafetyPeriod() {
        SubmittedBatch batch =
                WebhookWakeUpIT.completedBatch(submissions, transitions, finalizer, receiver.url("/missed-again"));
        await().atMost(Duration.ofSeconds(15)).until(() -> receiver.received().size() == 1);
        String eventId = WebhookWakeUpIT.eventOf(jdbc, batch.batchId());
        await().atMost(Duration.ofSeconds(15)).until(() -> "delivered".equals(WebhookWakeUpIT.status(jdbc, eventId)));

        // Due again, with its attempts counted the way a claim counts them: V28 announces no claim.
        assertThat(jdbc.sql("""
                        UPDATE webhook_events
                           SET status = 'pending', attempts = attempts + 1, round_attempts = 0,
                               next_attempt_at = now(), delivered_at = NULL
                         WHERE id = :id
                        """).param("id", eventId).update()).isEqualTo(1);

        await().atMost(Duration.ofSeconds(15)).until(() -> receiver.received().size() == 2);
    }

    private void setWebhookUrl(String batchId, String url) {
        jdbc.sql("UPDATE batches SET webhook_url = :url WHERE id = :id")
                .param("url", url)
                .param("id", batchId)
                .update();
    }
}
