package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static dev.sluice.api.FinishedJobs.finish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.secret.SecretCipher;
import dev.sluice.db.webhook.WebhookDelivery;
import dev.sluice.db.webhook.WebhookDeliveryRepository;
import dev.sluice.db.webhook.WebhookEventRepository;
import dev.sluice.testsupport.TestSecrets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The api-service's side of webhooks: literal private targets refused at submission, the attempts of a batch's
 * event listed and redelivered (tenant-scoped), and the tenant's secret rotated. The worker that delivers is not
 * here: its outbox sweep runs through the shared repository, and attempts are recorded as it records them.
 */
class WebhookApiIT extends ApiTestBase {

    @Autowired
    private WebhookEventRepository events;

    @Autowired
    private WebhookDeliveryRepository deliveries;

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://127.0.0.1:8080/hook",
                "http://2130706433/",
                "http://[::1]/",
                "http://[::ffff:10.0.0.1]/",
                "http://169.254.169.254/latest/meta-data/",
                "http://192.168.0.10/x",
                "http://0x7f.1/",
                "http://localhost:8080/hook",
                "http://Hooks.LOCALHOST./x",
                "http://[::ffff:0:127.0.0.1]/",
                "http://[64:ff9b:1::a00:1]/"
            })
    void aWebhookUrlWhoseHostIsAPrivateAddressIsRefusedAndNothingIsStored(String url) {
        String key = newTenantKey();
        long batchesBefore = rows("batches");
        long jobsBefore = rows("jobs");

        Reply batch = expect(
                400,
                post(
                        "/v1/batches",
                        key,
                        aChatBatch()
                                .request("a", uniqueModel("hook"))
                                .with("webhook_url", url)
                                .json()));
        Reply job = expect(400, post("/v1/jobs", key, """
                {"url": "/v1/chat/completions", "body": {"model": "m"}, "webhook_url": "%s"}""".formatted(url)));

        for (Reply reply : List.of(batch, job)) {
            assertThat(reply.error().get("code").asString()).isEqualTo("invalid_webhook_url");
            assertThat(reply.error().get("param").asString()).isEqualTo("webhook_url");
        }
        assertThat(rows("batches")).isEqualTo(batchesBefore);
        assertThat(rows("jobs")).isEqualTo(jobsBefore);
    }

    @Test
    void aHostNameIsAcceptedAtSubmissionAndCheckedWhenDelivered() {
        String key = newTenantKey();
        expect(
                200,
                post(
                        "/v1/batches",
                        key,
                        aChatBatch()
                                .request("a", uniqueModel("hook"))
                                .with("webhook_url", "https://hooks.example.com/x")
                                .json()));
    }

    @Test
    void theAttemptsOfABatchsEventAreListedAndRedeliveredForItsTenantOnly() {
        String key = newTenantKey();
        String other = newTenantKey();
        String batchId = completedBatchWithWebhook(key);
        events.createPending(Instant.now(), 1000);
        String eventId = jdbc.sql("SELECT id FROM webhook_events WHERE subject_id = :id")
                .param("id", batchId)
                .query(String.class)
                .single();
        String tenantId = jdbc.sql("SELECT tenant_id FROM batches WHERE id = :id")
                .param("id", batchId)
                .query(String.class)
                .single();
        // What the worker records for a single attempt that got 503 and was not retried.
        deliveries.insert(new WebhookDelivery(
                "whdel_0a1b2c3d4e5f0a1b2c3d4e5f",
                eventId,
                "batch.completed",
                tenantId,
                batchId,
                1,
                "https://hooks.example.com/x",
                "failed",
                503,
                "the receiver answered 503",
                42,
                Instant.now(),
                null));
        jdbc.sql("UPDATE webhook_events SET status = 'failed', next_attempt_at = NULL, attempts = 1 WHERE id = :id")
                .param("id", eventId)
                .update();

        JsonNode list = expect(200, get("/v1/batches/" + batchId + "/webhook_deliveries", key))
                .json();
        assertThat(list.get("object").asString()).isEqualTo("list");
        JsonNode first = list.get("data").get(0);
        assertThat(first.get("object").asString()).isEqualTo("webhook_delivery");
        assertThat(first.get("event_id").asString()).isEqualTo(eventId);
        assertThat(first.get("event_type").asString()).isEqualTo("batch.completed");
        assertThat(first.get("status").asString()).isEqualTo("failed");
        assertThat(first.get("response_status").asInt()).isEqualTo(503);
        expect(404, get("/v1/batches/" + batchId + "/webhook_deliveries", other));

        String redeliver = "/v1/batches/" + batchId + "/webhook_deliveries/"
                + first.get("id").asString() + "/redeliver";
        expect(404, post(redeliver, other, ""));
        expect(202, post(redeliver, key, ""));
        assertThat(jdbc.sql("SELECT status FROM webhook_events WHERE id = :id")
                        .param("id", eventId)
                        .query(String.class)
                        .single())
                .isEqualTo("pending");
        // Already due: a second redelivery has nothing to do until this one is settled.
        assertThat(expect(409, post(redeliver, key, "")).error().get("code").asString())
                .isEqualTo("webhook_delivery_pending");
        expect(
                404,
                post(
                        "/v1/batches/" + batchId + "/webhook_deliveries/whdel_000000000000000000000000/redeliver",
                        key,
                        ""));
    }

    @Test
    void rotatingTheSecretShowsTheNewOneOnceAndKeepsTheOldValidForTheOverlap() {
        JsonNode created = expect(201, post("/admin/api-keys", ADMIN_KEY, "{\"name\":\"rotating\"}"))
                .json();
        String keyId = created.get("id").asString();
        String oldSecret = created.get("webhook_secret").asString();

        JsonNode rotated = expect(200, post("/admin/api-keys/" + keyId + "/webhook-secret/rotate", ADMIN_KEY, ""))
                .json();

        String newSecret = rotated.get("webhook_secret").asString();
        assertThat(newSecret).startsWith("whsec_").isNotEqualTo(oldSecret);
        assertThat(rotated.get("tenant_id").asString())
                .isEqualTo(created.get("tenant_id").asString());
        long expiresAt = rotated.get("previous_secret_expires_at").asLong();
        assertThat(expiresAt - Instant.now().getEpochSecond())
                .isBetween(
                        Duration.ofHours(24).toSeconds() - 60,
                        Duration.ofHours(24).toSeconds());
        String tenantId = created.get("tenant_id").asString();
        var stored = jdbc.sql("SELECT webhook_secret, previous_webhook_secret FROM tenants WHERE id = :id")
                .param("id", tenantId)
                .query()
                .singleRow();
        // Stored encrypted (WebhookSecretsAtRestIT): opened with the key the tests run with.
        SecretCipher cipher = SecretCipher.of(TestSecrets.ENCRYPTION_KEY);
        assertThat(cipher.open(tenantId, (String) stored.get("webhook_secret"))).isEqualTo(newSecret);
        assertThat(cipher.open(tenantId, (String) stored.get("previous_webhook_secret")))
                .isEqualTo(oldSecret);
        // Never shown again, and only to the operator.
        assertThat(get("/admin/api-keys", ADMIN_KEY).body()).doesNotContain(newSecret, oldSecret);
        expect(
                403,
                post(
                        "/admin/api-keys/" + keyId + "/webhook-secret/rotate",
                        created.get("key").asString(),
                        ""));
        expect(404, post("/admin/api-keys/key_000000000000000000000000/webhook-secret/rotate", ADMIN_KEY, ""));
    }

    private String completedBatchWithWebhook(String key) {
        String id = createBatch(
                key,
                aChatBatch()
                        .request("a", uniqueModel("hooked"))
                        .with("webhook_url", "https://hooks.example.com/x")
                        .json());
        finish(jdbc).succeeded(id, 1);
        completeBatch(id, null, null);
        return id;
    }
}
