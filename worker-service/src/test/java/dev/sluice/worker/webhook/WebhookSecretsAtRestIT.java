package dev.sluice.worker.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.standardwebhooks.Webhook;
import dev.sluice.common.Ids;
import dev.sluice.common.secret.SecretCipher;
import dev.sluice.db.job.Outcome;
import dev.sluice.db.tenant.TenantRepository;
import dev.sluice.db.webhook.WebhookDelivery;
import dev.sluice.worker.WorkerIntegrationTest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The worker signs with tenants' webhook secrets stored encrypted ({@code enc:v1:}), the context having the same
 * {@code sluice.secrets.encryption-key} the api-service encrypts with: receivers verify with the secret the
 * tenant was shown, and a secret that does not decrypt makes a recorded, retried attempt that sends nothing.
 */
class WebhookSecretsAtRestIT extends WorkerIntegrationTest {

    private static final Outcome ANSWER = new Outcome(200, "{\"object\":\"chat.completion\"}", null, null, 1, 2, 3, 10);

    @Autowired
    private WebhookEventSweep sweep;

    @Autowired
    private WebhookDeliverer deliverer;

    @Autowired
    private TenantRepository tenants;

    @Autowired
    private SecretCipher cipher;

    @Autowired
    private JdbcClient jdbc;

    private final WebhookReceiver receiver = WebhookReceiver.start();

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void anEncryptedSecretSignsAWebhookThatVerifiesWithTheSecretTheTenantWasShown() throws Exception {
        String secret = newSecret();
        String tenantId = tenantWithStoredSecret(cipher::seal, secret);
        String stored = storedSecret(tenantId);
        assertThat(stored).startsWith(SecretCipher.PREFIX).isNotEqualTo(secret);

        String jobId = finishedJobWithWebhook(tenantId, "/encrypted");
        sweep.runOnce();
        deliverDue();

        WebhookReceiver.Received received = receiver.received().getFirst();
        new Webhook(secret).verify(received.body(), received.headers());
        assertThat(received.body()).contains(jobId);
        assertThat(apiReads.deliveries(tenantId, jobId))
                .singleElement()
                .satisfies(attempt -> assertThat(attempt.status()).isEqualTo("delivered"));
    }

    @Test
    void aSecretThatDoesNotDecryptSendsNothingRecordsWhyAndIsRetriedUntilTheKeyIsRight() throws Exception {
        String secret = newSecret();
        SecretCipher otherKey = SecretCipher.of(newKey());
        String tenantId = tenantWithStoredSecret(otherKey::seal, secret);
        String jobId = finishedJobWithWebhook(tenantId, "/wrong-key");
        sweep.runOnce();

        deliverDue();

        assertThat(receiver.received()).isEmpty();
        WebhookDelivery attempt = apiReads.deliveries(tenantId, jobId).getFirst();
        assertThat(attempt.status()).isEqualTo("failed");
        assertThat(attempt.responseStatus()).isNull();
        assertThat(attempt.error())
                .startsWith("not sent: ")
                .contains(tenantId, "does not decrypt")
                .doesNotContain(secret);
        assertThat(attempt.nextAttemptAt()).isNotNull();

        // The operator puts the key right (here: the value is stored under the worker's key): the retry delivers.
        jdbc.sql("UPDATE tenants SET webhook_secret = :s WHERE id = :id")
                .param("s", cipher.seal(tenantId, secret))
                .param("id", tenantId)
                .update();
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    deliverDue();
                    return !receiver.received().isEmpty();
                });
        new Webhook(secret)
                .verify(
                        receiver.received().getFirst().body(),
                        receiver.received().getFirst().headers());
    }

    @Test
    void aPreviousSecretThatDoesNotDecryptIsLeftOutOfTheSignatures() throws Exception {
        String previous = newSecret();
        String current = newSecret();
        String tenantId = tenantWithStoredSecret(SecretCipher.of(newKey())::seal, previous);
        String keyId = jdbc.sql("SELECT id FROM api_keys WHERE tenant_id = :t")
                .param("t", tenantId)
                .query(String.class)
                .single();
        tenants.rotateWebhookSecret(
                keyId, cipher.seal(tenantId, current), Instant.now().plus(Duration.ofHours(1)));
        finishedJobWithWebhook(tenantId, "/half-readable");
        sweep.runOnce();

        deliverDue();

        WebhookReceiver.Received received = receiver.received().getFirst();
        assertThat(received.header("webhook-signature").split(" ")).hasSize(1);
        new Webhook(current).verify(received.body(), received.headers());
    }

    private interface Storage {
        String stored(String tenantId, String secret);
    }

    private String tenantWithStoredSecret(Storage storage, String secret) {
        String tenantId = Ids.tenant();
        submissions.tenant(tenantId, "at rest", storage.stored(tenantId, secret));
        return tenantId;
    }

    /** A single job of the tenant's, succeeded, whose webhook goes to the receiver's {@code path}. */
    private String finishedJobWithWebhook(String tenantId, String path) {
        String jobId = Ids.job();
        Instant now = Instant.now();
        jobs.insertAll(List.of(WebhookJobs.single(jobId, tenantId, "webhook/at-rest", receiver.url(path))), now);
        transitions.claim(jobId, "test-worker", Duration.ofSeconds(60)).orElseThrow();
        assertThat(transitions.markSucceeded(jobId, "test-worker", ANSWER, now)).isTrue();
        return jobId;
    }

    private String storedSecret(String tenantId) {
        return jdbc.sql("SELECT webhook_secret FROM tenants WHERE id = :id")
                .param("id", tenantId)
                .query(String.class)
                .single();
    }

    private static String newSecret() {
        return "whsec_" + newKey();
    }

    private static String newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /** Starts the due events' attempts and waits until each is recorded. */
    private void deliverDue() throws InterruptedException {
        deliverer.runOnce();
        assertThat(deliverer.awaitIdle(Duration.ofSeconds(30))).isTrue();
    }
}
