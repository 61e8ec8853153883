package dev.sluice.worker.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.standardwebhooks.Webhook;
import dev.sluice.common.Ids;
import dev.sluice.db.job.NewJob;
import dev.sluice.db.job.Outcome;
import dev.sluice.db.webhook.WebhookDelivery;
import dev.sluice.worker.WorkerIntegrationTest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A receiver that hangs delays only its own tenant's webhooks. Tenant A's receiver is a tarpit that holds every
 * request past the attempt's 15 s timeout, and A has more due events than the worker may run at once; tenant B's
 * receiver answers at once. The worker's own delivery loop runs (every 100 ms, as in production but faster):
 * B's events all arrive within 2 s while A's first attempts still hang, A holds no more than its share of
 * the worker's slots, and A's events time out, are retried on the schedule and are delivered once its receiver
 * answers again.
 *
 * <p>The context is its own (15 s timeout, the loops running) and is closed after this class, so its loops never
 * deliver another test's events.
 */
@DirtiesContext
class WebhookFairnessIT extends WorkerIntegrationTest {

    private static final int PER_TENANT = 4;
    private static final int SLOW_EVENTS = 30;
    private static final int FAST_EVENTS = 15;
    private static final Outcome ANSWER = new Outcome(200, "{\"object\":\"chat.completion\"}", null, null, 1, 2, 3, 10);

    @DynamicPropertySource
    static void slowReceivers(DynamicPropertyRegistry registry) {
        registry.add("sluice.webhook.timeout", () -> "15s");
        registry.add("sluice.webhook.interval", () -> "100ms");
        // Fewer slots than tenant A has due events: before fair delivery, A's backlog alone filled every one.
        registry.add("sluice.webhook.max-in-flight", () -> "20");
        registry.add("sluice.webhook.max-in-flight-per-tenant", () -> Integer.toString(PER_TENANT));
    }

    @Autowired
    private WebhookEventSweep sweep;

    @Autowired
    private JdbcClient jdbc;

    private final WebhookReceiver tarpit = WebhookReceiver.start().hanging();
    private final WebhookReceiver prompt = WebhookReceiver.start();
    private final String secret = newSecret();

    @AfterEach
    void stopReceivers() {
        tarpit.close();
        prompt.close();
    }

    @Test
    void aTarpitReceiverDelaysOnlyItsOwnTenant() throws Exception {
        String slowTenant = Ids.tenant();
        String fastTenant = Ids.tenant();
        submissions.tenant(slowTenant, "tarpit", secret);
        submissions.tenant(fastTenant, "prompt", secret);

        // A's events are due first, and are more than the worker's slots.
        List<String> slowJobs = finishedJobs(slowTenant, tarpit.url("/hang"), SLOW_EVENTS);
        await().atMost(Duration.ofSeconds(10)).until(() -> pendingEvents(slowTenant) == SLOW_EVENTS);
        await().atMost(Duration.ofSeconds(5)).until(() -> tarpit.waiting() == PER_TENANT);

        List<String> fastJobs = finishedJobs(fastTenant, prompt.url("/ok"), FAST_EVENTS);
        while (sweep.runOnce() > 0) {
            // Until every finished job has its event (the loop may have swept some already).
        }
        Instant swept = Instant.now();
        await().atMost(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> deliveredEvents(fastTenant) == FAST_EVENTS);
        Duration fastTook = Duration.between(swept, Instant.now());

        // B was served while every one of A's attempts so far still hangs, each holding one of A's slots only.
        assertThat(fastTook).isLessThan(Duration.ofSeconds(2));
        assertThat(tarpit.waiting()).isEqualTo(PER_TENANT);
        assertThat(tarpit.received()).hasSize(PER_TENANT);
        assertThat(attempts(slowTenant, slowJobs)).isEmpty();
        assertThat(prompt.received()).hasSize(FAST_EVENTS);
        for (WebhookReceiver.Received received : prompt.received()) {
            new Webhook(secret).verify(received.body(), received.headers());
        }
        assertThat(attempts(fastTenant, fastJobs))
                .hasSize(FAST_EVENTS)
                .allSatisfy(attempt -> assertThat(attempt.status()).isEqualTo("delivered"));

        // A's first attempts run into the timeout and are retried on the schedule, as any failed attempt is.
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> attempts(slowTenant, slowJobs).size() >= PER_TENANT);
        assertThat(attempts(slowTenant, slowJobs)).allSatisfy(attempt -> {
            assertThat(attempt.status()).isEqualTo("failed");
            // The whole-attempt deadline and the socket's read timeout are both 15 s: either may end it.
            assertThat(attempt.error()).matches("no answer within 15 s|SocketTimeoutException: Read timed out");
            assertThat(attempt.durationMs()).isGreaterThanOrEqualTo(15_000);
            assertThat(attempt.nextAttemptAt()).isNotNull();
        });

        // A's receiver answers again: every one of A's events is delivered, none twice.
        tarpit.release();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> deliveredEvents(slowTenant) == SLOW_EVENTS);
        assertThat(attempts(slowTenant, slowJobs).stream()
                        .filter(attempt -> attempt.status().equals("delivered"))
                        .map(WebhookDelivery::eventId)
                        .distinct())
                .hasSize(SLOW_EVENTS);
    }

    /** {@code count} single jobs of the tenant, succeeded, each with a webhook to {@code url}. */
    private List<String> finishedJobs(String tenantId, String url, int count) {
        Instant now = Instant.now();
        List<String> ids = new ArrayList<>();
        List<NewJob> newJobs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String jobId = Ids.job();
            ids.add(jobId);
            newJobs.add(WebhookJobs.single(jobId, tenantId, "webhook/fair", url));
        }
        jobs.insertAll(newJobs, now);
        for (String jobId : ids) {
            transitions.claim(jobId, "test-worker", Duration.ofSeconds(60)).orElseThrow();
            assertThat(transitions.markSucceeded(jobId, "test-worker", ANSWER, now))
                    .isTrue();
        }
        return ids;
    }

    private List<WebhookDelivery> attempts(String tenantId, List<String> jobIds) {
        return jobIds.stream()
                .flatMap(jobId -> apiReads.deliveries(tenantId, jobId).stream())
                .toList();
    }

    private int pendingEvents(String tenantId) {
        return eventCount(tenantId, "pending");
    }

    private int deliveredEvents(String tenantId) {
        return eventCount(tenantId, "delivered");
    }

    private int eventCount(String tenantId, String status) {
        return jdbc.sql("SELECT count(*) FROM webhook_events WHERE tenant_id = :t AND status = :s")
                .param("t", tenantId)
                .param("s", status)
                .query(Integer.class)
                .single();
    }

    private static String newSecret() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }
}
