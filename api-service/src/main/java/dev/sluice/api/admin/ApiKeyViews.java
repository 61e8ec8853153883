package dev.sluice.api.admin;

import dev.sluice.db.tenant.ApiKey;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.annotation.Nullable;
import java.time.Instant;

/** The API key objects the admin API answers with. */
final class ApiKeyViews {

    private ApiKeyViews() {}

    /**
     * A key just created: the only response that ever carries the key and the webhook secret.
     *
     * @param id            the key's id ({@code key_...}), used to revoke it
     * @param object        always {@code api_key}
     * @param name          the operator's name for it
     * @param tenantId      the tenant it acts for
     * @param key           the bearer key itself
     * @param webhookSecret the tenant's {@code whsec_} secret for verifying webhooks
     * @param createdAt     unix seconds
     */
    record Created(
            String id, String object, String name, String tenantId, String key, String webhookSecret, long createdAt) {

        @Override
        public String toString() {
            return "Created[id=" + id + ", name=" + name + ", tenantId=" + tenantId + "]";
        }
    }

    /**
     * A key as listed, without any secret.
     *
     * @param id        the key's id
     * @param object    always {@code api_key}
     * @param name      the operator's name for it
     * @param tenantId  the tenant it acts for
     * @param keyPrefix its first characters, to tell keys apart
     * @param createdAt unix seconds
     * @param revokedAt unix seconds, or null while the key works
     */
    @Schema(name = "ApiKey")
    record Listed(
            String id,
            String object,
            String name,
            String tenantId,
            String keyPrefix,
            long createdAt,
            @Nullable Long revokedAt) {

        static Listed of(ApiKey key) {
            Instant revoked = key.revokedAt();
            return new Listed(
                    key.id(),
                    "api_key",
                    key.name(),
                    key.tenantId(),
                    key.keyPrefix(),
                    key.createdAt().getEpochSecond(),
                    revoked == null ? null : revoked.getEpochSecond());
        }
    }

    /**
     * The answer to a revocation, in OpenAI's deletion shape.
     *
     * @param id      the revoked key's id
     * @param object  always {@code api_key}
     * @param deleted always true
     */
    record Deleted(String id, String object, boolean deleted) {}

    /**
     * A tenant's new webhook secret: the only response that ever carries it.
     *
     * @param id                       the key the rotation was asked through
     * @param object                   always {@code webhook_secret}
     * @param tenantId                 the tenant whose secret changed
     * @param webhookSecret            the new {@code whsec_} secret
     * @param previousSecretExpiresAt  unix seconds until which the old secret also verifies (deliveries are signed
     *                                 with both until then)
     */
    record RotatedSecret(
            String id, String object, String tenantId, String webhookSecret, long previousSecretExpiresAt) {

        @Override
        public String toString() {
            return "RotatedSecret[id=" + id + ", tenantId=" + tenantId + "]";
        }
    }
}
