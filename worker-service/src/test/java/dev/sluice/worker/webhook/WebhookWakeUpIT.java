package dev.sluice.worker.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.common.Ids;
import dev.sluice.db.job.NewJob;
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
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;

/**
 * The webhook outbox's loops run because PostgreSQL announced the work (V28), not because their period ended: both
 * periods are an hour here, so whatever arrives within seconds was announced.
 */
@TestPropertySource(
        properties = {"sluice.webhook.listen=true", "sluice.webhook.interval=1h", "sluice.webhook.safety-interval=1h"})
class WebhookWakeUpIT extends WorkerIntegrationTest {

    static final Outcome ANSWER = new Outcome(200, "{\"object\":\"chat.completion\"}", null, null, 1, 2, 3, 10);
    static final Duration PROMPTLY = Duration.ofSeconds(10);

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
    void aBatchThatCompletesIsSweptAndDeliveredOnTheAnnouncement() {
        SubmittedBatch batch = completedBatch(submissions, transitions, finalizer, receiver.url("/batch"));

        await().atMost(PROMPTLY).until(() -> receiver.received().size() == 1);
        assertThat(receiver.received().getFirst().body())
                .contains("\"type\":\"batch.completed\"", "\"id\":\"" + batch.batchId() + "\"");
    }

    @Test
    void aSingleJobThatSucceedsIsSweptAndDeliveredOnTheAnnouncement() {
        String jobId = succeededSingleJob(receiver.url("/job"));

        await().atMost(PROMPTLY).until(() -> receiver.received().size() == 1);
        assertThat(receiver.received().getFirst().body()).contains("\"data\":{\"id\":\"" + jobId + "\"}");
    }

    /** The failed attempt schedules a retry 200 ms later: the delivery sleeps until then, not for its period. */
    @Test
    void aRetryIsSentWhenItComesDue() {
        receiver.answering(500);
        completedBatch(submissions, transitions, finalizer, receiver.url("/flaky"));

        await().atMost(PROMPTLY).until(() -> receiver.received().size() == 2);
        assertThat(receiver.received().get(1).header("webhook-id"))
                .isEqualTo(receiver.received().get(0).header("webhook-id"));
    }

    /** A redelivery (what the admin API asks for) is announced too. */
    @Test
    void aRedeliveryIsSentOnTheAnnouncement() {
        SubmittedBatch batch = completedBatch(submissions, transitions, finalizer, receiver.url("/again"));
        await().atMost(PROMPTLY).until(() -> receiver.received().size() == 1);
        String eventId = eventOf(jdbc, batch.batchId());
        await().atMost(PROMPTLY).until(() -> "delivered".equals(status(jdbc, eventId)));

        assertThat(jdbc.sql(REDELIVER).param("id", eventId).update()).isEqualTo(1);

        await().atMost(PROMPTLY).until(() -> receiver.received().size() == 2);
    }

    static final String REDELIVER = """
            UPDATE webhook_events
               SET status = 'pending', round_attempts = 0, next_attempt_at = now(), delivered_at = NULL
             WHERE id = :id
            """;

    static String newSecret() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    static String eventOf(JdbcClient jdbc, String subjectId) {
        return jdbc.sql("SELECT id FROM webhook_events WHERE subject_id = :id")
                .param("id", subjectId)
                .query(String.class)
                .single();
    }

    static String status(JdbcClient jdbc, String eventId) {
        return jdbc.sql("SELECT status FROM webhook_events WHERE id = :id")
                .param("id", eventId)
                .query(String.class)
                .single();
    }

    private String succeededSingleJob(String webhookUrl) {
        String tenantId = Ids.tenant();
        submissions.tenant(tenantId, "wake-up", newSecret());
        String jobId = Ids.job();
        Instant now = Instant.now();
        jobs.insertAll(
                List.of(new NewJob(
                        jobId,
                        tenantId,
                        null,
                        null,
                        null,
                        "/v1/chat/completions",
                        "webhook/wake-up",
                        "{\"model\":\"webhook/wake-up\"}",
                        0,
                        webhookUrl)),
                now);
        transitions.claim(jobId, "test-worker", Duration.ofSeconds(60)).orElseThrow();
        assertThat(transitions.markSucceeded(jobId, "test-worker", ANSWER, now)).isTrue();
        return jobId;
    }

    /** A one-job batch with a webhook, its job succeeded and the batch finalised. */
    static SubmittedBatch completedBatch(
            dev.sluice.worker.Submissions submissions,
            dev.sluice.db.job.JobTransitions transitions,
            BatchFinalizer finalizer,
            String webhookUrl) {
        SubmittedBatch submitted = submissions
                .batch()
                .webhook(webhookUrl, newSecret())
                .chat("webhook/wake-up", "done")
                .store();
        String jobId = submitted.jobIds().getFirst();
        transitions.claim(jobId, "test-worker", Duration.ofSeconds(60)).orElseThrow();
        assertThat(transitions.markSucceeded(jobId, "test-worker", ANSWER, Instant.now()))
                .isTrue();
        finalizer.afterJobFinished(submitted.batchId());
        return submitted;
    }
}
