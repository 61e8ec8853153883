package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class AdminApiKeyIT extends ApiTestBase {

    @Test
    void createdKeyShowsItsSecretsOnceAndWorksUntilRevoked() {
        Reply created = post("/admin/api-keys", ADMIN_KEY, "{\"name\":\"acme\"}");

        assertThat(created.status()).isEqualTo(201);
        JsonNode key = created.json();
        assertThat(key.get("object").asString()).isEqualTo("api_key");
        assertThat(key.get("name").asString()).isEqualTo("acme");
        assertThat(key.get("key").asString()).startsWith("sk-sluice-").hasSizeGreaterThan(40);
        assertThat(key.get("webhook_secret").asString()).startsWith("whsec_");
        assertThat(key.get("created_at").asLong()).isPositive();
        String secret = key.get("key").asString();
        String id = key.get("id").asString();

        assertThat(get("/v1/batches", secret).status()).isEqualTo(200);

        Reply listed = get("/admin/api-keys", ADMIN_KEY);
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.body())
                .doesNotContain(secret)
                .doesNotContain(key.get("webhook_secret").asString());
        JsonNode row = null;
        for (JsonNode candidate : listed.json().get("data")) {
            if (candidate.get("id").asString().equals(id)) {
                row = candidate;
            }
        }
        assertThat(row).isNotNull();
        assertThat(row.get("key_prefix").asString()).isEqualTo(secret.substring(0, 14));
        assertThat(row.get("revoked_at").isNull()).isTrue();
        assertThat(row.has("key")).isFalse();

        Reply revoked = delete("/admin/api-keys/" + id, ADMIN_KEY);
        assertThat(revoked.status()).isEqualTo(200);
        assertThat(revoked.json().get("deleted").asBoolean()).isTrue();

        Reply refused = get("/v1/batches", secret);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.error().get("code").asString()).isEqualTo("invalid_api_key");
        assertThat(delete("/admin/api-keys/" + id, ADMIN_KEY).status()).isEqualTo(404);
    }

    @Test
    void aKeyRevokedOnAnotherReplicaIsRefusedHereWithinASecond() {
        String key = newTenantKey();
        assertThat(get("/v1/batches", key).status()).isEqualTo(200);
        assertThat(get("/v1/batches", key).status()).isEqualTo(200);

        // Another replica's revocation: the same statement, which this replica hears of only through PostgreSQL.
        assertThat(jdbc.sql("UPDATE api_keys SET revoked_at = now() WHERE key_hash = sha256(convert_to(:key, 'UTF8'))")
                        .param("key", key)
                        .update())
                .isEqualTo(1);

        await().atMost(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> get("/v1/batches", key).status() == 401);
        assertThat(get("/v1/batches", key).error().get("code").asString()).isEqualTo("invalid_api_key");
    }

    @Test
    void adminApiRefusesTenantKeysAndMissingOrWrongKeys() {
        String tenantKey = newTenantKey();

        Reply withTenantKey = get("/admin/api-keys", tenantKey);
        assertThat(withTenantKey.status()).isEqualTo(403);
        assertThat(withTenantKey.error().get("code").asString()).isEqualTo("insufficient_permissions");

        Reply withoutKey = post("/admin/api-keys", null, "{\"name\":\"x\"}");
        assertThat(withoutKey.status()).isEqualTo(401);
        assertThat(withoutKey.error().get("type").asString()).isEqualTo("invalid_request_error");

        assertThat(get("/admin/api-keys", ADMIN_KEY + "x").status()).isEqualTo(401);
        assertThat(send(request("/admin/api-keys", null)
                                .header("Authorization", "Basic abc")
                                .GET()
                                .build())
                        .status())
                .isEqualTo(401);
    }

    @Test
    void tenantEndpointsRefuseTheAdminKeyAndMissingKeys() {
        assertThat(get("/v1/batches", ADMIN_KEY).status()).isEqualTo(401);
        Reply missing = get("/v1/batches", null);
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.error().get("code").asString()).isEqualTo("invalid_api_key");
    }

    @Test
    void keyNamesAreChecked() {
        long before = rows("api_keys");

        assertThat(post("/admin/api-keys", ADMIN_KEY, "{\"name\":\"  \"}")
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("name");
        assertThat(post("/admin/api-keys", ADMIN_KEY, "{}").status()).isEqualTo(400);
        assertThat(post("/admin/api-keys", ADMIN_KEY, "{\"name\":7}").status()).isEqualTo(400);
        assertThat(post("/admin/api-keys", ADMIN_KEY, "{\"name\":\"a\\u0000b\"}")
                        .status())
                .isEqualTo(400);
        assertThat(post("/admin/api-keys", ADMIN_KEY, "[").status()).isEqualTo(400);
        assertThat(delete("/admin/api-keys/key_doesnotexist", ADMIN_KEY).status())
                .isEqualTo(404);

        assertThat(rows("api_keys")).isEqualTo(before);
    }
}
