package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.secret.ClearSecretSealer;
import dev.sluice.common.Ids;
import dev.sluice.common.secret.SecretCipher;
import dev.sluice.common.secret.UnreadableSecretException;
import dev.sluice.db.tenant.TenantEntityRepository;
import dev.sluice.db.tenant.TenantRepository;
import dev.sluice.testsupport.TestSecrets;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Webhook secrets at rest, with {@code sluice.secrets.encryption-key} set as in every api IT: what the admin API
 * stores is {@code enc:v1:} ciphertext that opens, for its own tenant only, to the secret it showed once; secrets
 * stored in clear before the key was set are encrypted in place, once, however many replicas try at the same time.
 */
class WebhookSecretsAtRestIT extends ApiTestBase {

    private static final SecretCipher TEST_KEY = SecretCipher.of(TestSecrets.ENCRYPTION_KEY);

    @Autowired
    private TenantEntityRepository tenants;

    @Autowired
    private TenantRepository keys;

    @Autowired
    private ClearSecretSealer sealer;

    @Test
    void aCreatedKeysWebhookSecretIsStoredEncryptedForItsTenantOnly() {
        JsonNode created = expect(201, post("/admin/api-keys", ADMIN_KEY, "{\"name\":\"at-rest\"}"))
                .json();
        String secret = created.get("webhook_secret").asString();
        String tenantId = created.get("tenant_id").asString();

        String stored = stored(tenantId).get("webhook_secret");

        assertThat(stored)
                .startsWith(SecretCipher.PREFIX)
                .isNotEqualTo(secret)
                .doesNotContain(secret.substring("whsec_".length()));
        assertThat(TEST_KEY.open(tenantId, stored)).isEqualTo(secret);
        assertThatThrownBy(() -> TEST_KEY.open(Ids.tenant(), stored)).isInstanceOf(UnreadableSecretException.class);
    }

    @Test
    void aRotationStoresTheNewSecretEncryptedAndKeepsTheOldOneReadable() {
        JsonNode created = expect(201, post("/admin/api-keys", ADMIN_KEY, "{\"name\":\"at-rest-rotated\"}"))
                .json();
        String tenantId = created.get("tenant_id").asString();

        JsonNode rotated = expect(
                        200,
                        post(
                                "/admin/api-keys/" + created.get("id").asString() + "/webhook-secret/rotate",
                                ADMIN_KEY,
                                ""))
                .json();

        Map<String, String> stored = stored(tenantId);
        assertThat(stored.get("webhook_secret")).startsWith(SecretCipher.PREFIX);
        assertThat(stored.get("previous_webhook_secret")).startsWith(SecretCipher.PREFIX);
        assertThat(TEST_KEY.open(tenantId, stored.get("webhook_secret")))
                .isEqualTo(rotated.get("webhook_secret").asString());
        assertThat(TEST_KEY.open(tenantId, stored.get("previous_webhook_secret")))
                .isEqualTo(created.get("webhook_secret").asString());
    }

    @Test
    void secretsStoredInClearAreEncryptedInPlaceOnceEvenByReplicasRacing() throws Exception {
        List<String> tenantIds = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            tenantIds.add(clearTenant("whsec_clear" + i));
        }
        // Half of them rotated in clear too, so that they have a previous secret to encrypt as well.
        for (String tenantId : tenantIds.subList(0, 10)) {
            String keyId = jdbc.sql("SELECT id FROM api_keys WHERE tenant_id = :t")
                    .param("t", tenantId)
                    .query(String.class)
                    .single();
            keys.rotateWebhookSecret(
                    keyId, "whsec_new" + tenantId, Instant.now().plus(Duration.ofHours(1)));
        }
        long clearValues = jdbc.sql("""
                SELECT count(*) FILTER (WHERE NOT starts_with(webhook_secret, 'enc:v1:'))
                     + count(*) FILTER (WHERE NOT starts_with(previous_webhook_secret, 'enc:v1:'))
                  FROM tenants""").query(Long.class).single();
        assertThat(clearValues).isGreaterThanOrEqualTo(30);

        CyclicBarrier together = new CyclicBarrier(2);
        Callable<Integer> replica = () -> {
            together.await();
            return sealer.runOnce();
        };
        int sealed;
        try (ExecutorService replicas = Executors.newFixedThreadPool(2)) {
            Future<Integer> first = replicas.submit(replica);
            Future<Integer> second = replicas.submit(replica);
            sealed = first.get() + second.get();
        }

        assertThat(sealed).isEqualTo(clearValues);
        for (String tenantId : tenantIds) {
            Map<String, String> stored = stored(tenantId);
            boolean rotated = tenantIds.indexOf(tenantId) < 10;
            assertThat(TEST_KEY.open(tenantId, stored.get("webhook_secret")))
                    .isEqualTo(rotated ? "whsec_new" + tenantId : "whsec_clear" + tenantIds.indexOf(tenantId));
            assertThat(stored.get("webhook_secret")).startsWith(SecretCipher.PREFIX);
            if (rotated) {
                assertThat(stored.get("previous_webhook_secret")).startsWith(SecretCipher.PREFIX);
                assertThat(TEST_KEY.open(tenantId, stored.get("previous_webhook_secret")))
                        .isEqualTo("whsec_clear" + tenantIds.indexOf(tenantId));
            } else {
                assertThat(stored.get("previous_webhook_secret")).isNull();
            }
        }
        // Idempotent: nothing left to do, nothing re-encrypted.
        Map<String, String> before = stored(tenantIds.getFirst());
        assertThat(sealer.runOnce()).isZero();
        assertThat(stored(tenantIds.getFirst())).isEqualTo(before);
    }

    private String clearTenant(String secret) {
        String tenantId = Ids.tenant();
        tenants.createTenantWithKey(
                tenantId,
                Ids.apiKey(),
                "clear",
                Ids.random(32).getBytes(StandardCharsets.US_ASCII),
                "sk-clear",
                secret,
                Instant.now());
        return tenantId;
    }

    private Map<String, String> stored(String tenantId) {
        return jdbc.sql("SELECT webhook_secret, previous_webhook_secret FROM tenants WHERE id = :id")
                .param("id", tenantId)
                .query((rs, n) -> {
                    Map<String, String> row = new HashMap<>();
                    row.put("webhook_secret", rs.getString("webhook_secret"));
                    row.put("previous_webhook_secret", rs.getString("previous_webhook_secret"));
                    return row;
                })
                .single();
    }
}
