package dev.sluice.worker.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.Headers;
import com.openai.models.webhooks.UnwrapWebhookEvent;
import com.openai.models.webhooks.WebhookVerificationParams;
import com.standardwebhooks.Webhook;
import dev.sluice.common.Ids;
import dev.sluice.common.secret.SecretCipher;
import dev.sluice.common.webhook.WebhookAddressPolicy;
import dev.sluice.db.job.Outcome;
import dev.sluice.db.tenant.TenantRepository;
import dev.sluice.db.webhook.DueWebhookEvent;
import dev.sluice.db.webhook.WebhookDelivery;
import dev.sluice.db.webhook.WebhookEventRepository;
import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.WorkerIntegrationTest;
import dev.sluice.worker.finalization.BatchFinalizer;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Webhooks from the outbox sweep to a real HTTP receiver, verified by the official OpenAI SDK and the Standard
 * Webhooks library. The context allows private addresses (the receiver is on 127.0.0.1) and retries after
 * 200 ms; the loops are driven with {@code runOnce()}.
 */
class WebhookDeliveryIT extends WorkerIntegrationTest {

    private static final Outcome ANSWER = new Outcome(200, "{\"object\":\"chat.completion\"}", null, null, 1, 2, 3, 10);

    @Autowired
    private BatchFinalizer finalizer;

    @Autowired
    private WebhookEventSweep sweep;

    @Autowired
    private WebhookDeliverer deliverer;

    @Autowired
    private WebhookEventRepository events;

    @Autowired
    private TenantRepository tenants;

    @Autowired
    private JdbcClient jdbc;

    private final WebhookReceiver receiver = WebhookReceiver.start();
    private final String secret = newSecret();

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void aCompletedBatchGetsOneSignedEventThatTheOfficialVerifiersAccept() throws Exception {
        SubmittedBatch batch = completedBatch("webhook/signed", receiver.url("/hooks"));

        assertThat(sweep.runOnce()).isGreaterThanOrEqualTo(1);
        deliverDue();

        assertThat(receiver.received()).hasSize(1);
        WebhookReceiver.Received received = receiver.received().getFirst();
        new Webhook(secret).verify(received.body(), received.headers());
        UnwrapWebhookEvent event = openAi().webhooks().unwrap(openAiParams(received, secret));
        assertThat(event.isBatchCompleted()).isTrue();
        assertThat(event.asBatchCompleted().data().id()).isEqualTo(batch.batchId());
        assertThat(event.asBatchCompleted().id())
                .isEqualTo(received.header("webhook-id"))
                .startsWith("evt_");
        assertThat(received.header("Content-Type")).startsWith("application/json");

        List<WebhookDelivery> attempts = apiReads.deliveries(batch.tenantId(), batch.batchId());
        assertThat(attempts).singleElement().satisfies(attempt -> {
            assertThat(attempt.status()).isEqualTo("delivered");
            assertThat(attempt.responseStatus()).isEqualTo(200);
            assertThat(attempt.eventType()).isEqualTo("batch.completed");
            assertThat(attempt.nextAttemptAt()).isNull();
        });
        // Nothing is created or sent twice.
        sweep.runOnce();
        deliverDue();
        assertThat(receiver.received()).hasSize(1);
        assertThat(jdbc.sql("SELECT count(*) FROM webhook_events WHERE subject_id = :id")
                        .param("id", batch.batchId())
                        .query(Integer.class)
                        .single())
                .isEqualTo(1);
    }

    @Test
    void aReceiverThatAnswers500OnceGetsTheRetryWithTheSameWebhookId() throws Exception {
        receiver.answering(500);
        SubmittedBatch batch = completedBatch("webhook/retry", receiver.url("/flaky"));
        sweep.runOnce();

        deliverDue();
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    deliverDue();
                    return receiver.received().size() >= 2;
                });

        List<WebhookReceiver.Received> received = receiver.received();
        assertThat(received).hasSize(2);
        assertThat(received.get(1).header("webhook-id"))
                .isEqualTo(received.get(0).header("webhook-id"));
        new Webhook(secret).verify(received.get(1).body(), received.get(1).headers());
        List<WebhookDelivery> attempts = apiReads.deliveries(batch.tenantId(), batch.batchId());
        assertThat(attempts)
                .extracting(WebhookDelivery::attempt, WebhookDelivery::status, WebhookDelivery::responseStatus)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1, "failed", 500),
                        org.assertj.core.groups.Tuple.tuple(2, "delivered", 200));
        assertThat(attempts.getFirst().nextAttemptAt()).isNotNull();
    }

    @Test
    void goneStopsTheRetriesAndExhaustedRetriesFailTheEvent() throws Exception {
        receiver.answering(410);
        SubmittedBatch gone = completedBatch("webhook/gone", receiver.url("/gone"));
        sweep.runOnce();
        deliverDue();
        assertThat(eventStatus(gone.batchId())).isEqualTo("failed");

        receiver.answering(503, 503, 503, 503, 503);
        SubmittedBatch down = completedBatch("webhook/down", receiver.url("/down"));
        sweep.runOnce();
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    deliverDue();
                    return eventStatus(down.batchId()).equals("failed");
                });

        assertThat(apiReads.deliveries(gone.tenantId(), gone.batchId()))
                .singleElement()
                .satisfies(attempt -> assertThat(attempt.responseStatus()).isEqualTo(410));
        // One attempt and the three retries of the test schedule, then no more.
        assertThat(apiReads.deliveries(down.tenantId(), down.batchId()))
                .hasSize(4)
                .allSatisfy(attempt -> assertThat(attempt.responseStatus()).isEqualTo(503));
    }

    @Test
    void aMetadataAddressIsRefusedAtDeliveryAndNeverRetried() throws Exception {
        SubmittedBatch batch = completedBatch("webhook/metadata", "http://169.254.169.254/latest/meta-data/");
        sweep.runOnce();

        deliverDue();

        assertThat(eventStatus(batch.batchId())).isEqualTo("failed");
        assertThat(apiReads.deliveries(batch.tenantId(), batch.batchId()))
                .singleElement()
                .satisfies(attempt -> {
                    assertThat(attempt.status()).isEqualTo("refused");
                    assertThat(attempt.responseStatus()).isNull();
                    assertThat(attempt.error()).contains("metadata");
                });
    }

    @Test
    void withoutAllowPrivateAHostNameThatResolvesToLoopbackIsRefusedAndNothingIsSent() throws Exception {
        DueWebhookEvent event = new DueWebhookEvent(
                "evt_ssrf",
                "tenant_x",
                "batch_x",
                "batch.completed",
                "http://localhost:" + receiver.port() + "/internal",
                "{}",
                1,
                1,
                List.of(secret));
        try (WebhookSender strict = new WebhookSender(
                        WebhookAddressPolicy.of(false), Duration.ofSeconds(2), 4, SecretCipher.clear());
                WebhookSender lax = new WebhookSender(
                        WebhookAddressPolicy.of(true), Duration.ofSeconds(2), 4, SecretCipher.clear())) {
            assertThat(strict.send(event, Instant.now().getEpochSecond()))
                    .isInstanceOfSatisfying(
                            SendResult.Refused.class,
                            refused -> assertThat(refused.reason()).contains("loopback"));
            assertThat(receiver.received()).isEmpty();
            // The same event with private targets allowed does arrive: the refusal above was the policy's.
            assertThat(lax.send(event, Instant.now().getEpochSecond())).isInstanceOf(SendResult.Delivered.class);
        }
        assertThat(receiver.received()).hasSize(1);
    }

    @Test
    void aRedirectIsNotFollowed() throws Exception {
        receiver.answering(302);
        DueWebhookEvent event = new DueWebhookEvent(
                "evt_redirect",
                "tenant_x",
                "batch_x",
                "batch.completed",
                receiver.url("/moved"),
                "{}",
                1,
                1,
                List.of(secret));
        try (WebhookSender sender =
                new WebhookSender(WebhookAddressPolicy.of(true), Duration.ofSeconds(2), 4, SecretCipher.clear())) {
            assertThat(sender.send(event, Instant.now().getEpochSecond())).isEqualTo(new SendResult.Rejected(302));
        }
        assertThat(receiver.received()).hasSize(1);
    }

    @Test
    void anEventClaimedByAWorkerThatDiedIsDeliveredOnceItsClaimRunsOut() throws Exception {
        SubmittedBatch batch = completedBatch("webhook/dead-worker", receiver.url("/late"));
        sweep.runOnce();
        // A worker claimed the event and died mid-attempt; its claim has run out (here: at once).
        Instant now = Instant.now();
        List<DueWebhookEvent> claimed = events.claimDue(now, now.minusMillis(1), 100, 100, Map.of());
        assertThat(claimed).extracting(DueWebhookEvent::subjectId).contains(batch.batchId());

        deliverDue();

        assertThat(receiver.received()).hasSize(1);
        assertThat(apiReads.deliveries(batch.tenantId(), batch.batchId()))
                .singleElement()
                .satisfies(attempt -> assertThat(attempt.attempt()).isEqualTo(2));
        assertThat(eventStatus(batch.batchId())).isEqualTo("delivered");
    }

    @Test
    void afterARotationDeliveriesCarryBothSignaturesUntilTheOldSecretExpires() throws Exception {
        SubmittedBatch batch = completedBatch("webhook/rotation", receiver.url("/rotated"));
        String keyId = jdbc.sql("SELECT id FROM api_keys WHERE tenant_id = :t")
                .param("t", batch.tenantId())
                .query(String.class)
                .single();
        String rotated = newSecret();
        assertThat(tenants.rotateWebhookSecret(keyId, rotated, Instant.now().plus(Duration.ofHours(24))))
                .contains(batch.tenantId());
        sweep.runOnce();

        deliverDue();

        WebhookReceiver.Received received = receiver.received().getFirst();
        assertThat(received.header("webhook-signature").split(" ")).hasSize(2);
        new Webhook(rotated).verify(received.body(), received.headers());
        new Webhook(secret).verify(received.body(), received.headers());
        assertThat(openAi().webhooks().unwrap(openAiParams(received, secret)).isBatchCompleted())
                .isTrue();
        assertThat(openAi().webhooks().unwrap(openAiParams(received, rotated)).isBatchCompleted())
                .isTrue();
    }

    @Test
    void aSingleJobWithAWebhookUrlGetsAJobEvent() throws Exception {
        String tenantId = Ids.tenant();
        String jobId = Ids.job();
        Instant now = Instant.now();
        submissions.tenant(tenantId, "single", secret);
        jobs.insertAll(List.of(WebhookJobs.single(jobId, tenantId, "webhook/single", receiver.url("/job"))), now);
        transitions.claim(jobId, "test-worker", Duration.ofSeconds(60)).orElseThrow();
        assertThat(transitions.markSucceeded(jobId, "test-worker", ANSWER, now)).isTrue();

        sweep.runOnce();
        deliverDue();

        WebhookReceiver.Received received = receiver.received().getFirst();
        new Webhook(secret).verify(received.body(), received.headers());
        assertThat(received.body()).contains("\"type\":\"job.succeeded\"", "\"data\":{\"id\":\"" + jobId + "\"}");
    }

    @Test
    void anEventTypeLeftOutOfWebhookEventsIsNotSentWhileAnAllowedOneIs() throws Exception {
        String tenantId = Ids.tenant();
        Instant now = Instant.now();
        submissions.tenant(tenantId, "filtered", secret);
        String unwanted = succeededSingleJob(tenantId, receiver.url("/unwanted"), List.of("job.failed"), now);
        String wanted =
                succeededSingleJob(tenantId, receiver.url("/wanted"), List.of("job.failed", "job.succeeded"), now);

        sweep.runOnce();
        deliverDue();
        sweep.runOnce();
        deliverDue();

        assertThat(receiver.received()).singleElement().satisfies(received -> {
            assertThat(received.body()).contains("\"type\":\"job.succeeded\"", "\"data\":{\"id\":\"" + wanted + "\"}");
            new Webhook(secret).verify(received.body(), received.headers());
        });
        assertThat(jdbc.sql("SELECT count(*) FROM webhook_events WHERE subject_id = :id")
                        .param("id", unwanted)
                        .query(Integer.class)
                        .single())
                .isZero();
        // Marked as swept, so no later sweep looks at it again.
        assertThat(jdbc.sql("SELECT webhook_event_id FROM jobs WHERE id = :id")
                        .param("id", unwanted)
                        .query(String.class)
                        .single())
                .isEqualTo(WebhookEventRepository.FILTERED_OUT);
        assertThat(apiReads.deliveries(tenantId, unwanted)).isEmpty();
    }

    @Test
    void aTenantWithMoreDueEventsThanItsShareGetsThemAllWithoutWaitingForTheNextRun() throws Exception {
        String tenantId = Ids.tenant();
        Instant now = Instant.now();
        submissions.tenant(tenantId, "many", secret);
        List<String> jobIds = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            jobIds.add(succeededSingleJob(tenantId, receiver.url("/many"), null, now));
        }
        sweep.runOnce();

        // One run claims the tenant's share (5); each finished attempt claims the next at once.
        deliverDue();

        assertThat(receiver.received()).hasSize(20);
        assertThat(jobIds).allSatisfy(jobId -> assertThat(eventStatus(jobId)).isEqualTo("delivered"));
    }

    private String succeededSingleJob(String tenantId, String webhookUrl, List<String> webhookEvents, Instant now) {
        String jobId = Ids.job();
        jobs.insertAll(
                List.of(WebhookJobs.single(jobId, tenantId, "webhook/filtered", webhookUrl, webhookEvents)), now);
        transitions.claim(jobId, "test-worker", Duration.ofSeconds(60)).orElseThrow();
        assertThat(transitions.markSucceeded(jobId, "test-worker", ANSWER, now)).isTrue();
        return jobId;
    }

    /** A one-job batch with a webhook, its job succeeded and the batch finalised. */
    private SubmittedBatch completedBatch(String model, String webhookUrl) {
        SubmittedBatch submitted = submissions
                .batch()
                .webhook(webhookUrl, secret)
                .chat(model, "done")
                .store();
        String jobId = submitted.jobIds().getFirst();
        Instant now = Instant.now();
        transitions.claim(jobId, "test-worker", Duration.ofSeconds(60)).orElseThrow();
        assertThat(transitions.markSucceeded(jobId, "test-worker", ANSWER, now)).isTrue();
        finalizer.afterJobFinished(submitted.batchId());
        return submitted;
    }

    private String eventStatus(String subjectId) {
        return jdbc.sql("SELECT status FROM webhook_events WHERE subject_id = :id")
                .param("id", subjectId)
                .query(String.class)
                .single();
    }

    private static OpenAIClient openAi() {
        return OpenAIOkHttpClient.builder()
                .apiKey("sk-unused")
                .baseUrl("http://127.0.0.1:9")
                .build();
    }

    private static WebhookVerificationParams openAiParams(WebhookReceiver.Received received, String secret) {
        Headers.Builder headers = Headers.builder();
        for (Map.Entry<String, List<String>> header : received.headers().entrySet()) {
            headers.put(header.getKey().toLowerCase(java.util.Locale.ROOT), header.getValue());
        }
        return WebhookVerificationParams.builder()
                .payload(received.body())
                .headers(headers.build())
                .secret(secret)
                .build();
    }

    private static String newSecret() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    /** Starts the due events' attempts and waits until each is recorded. */
    private void deliverDue() throws InterruptedException {
        deliverer.runOnce();
        assertThat(deliverer.awaitIdle(Duration.ofSeconds(30))).isTrue();
    }
}
