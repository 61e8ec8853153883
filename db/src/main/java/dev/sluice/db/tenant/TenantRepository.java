package dev.sluice.db.tenant;

import dev.sluice.db.Timestamps;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Every change to a stored tenant or API key, each a conditional update in SQL: revoking keys, rotating webhook
 * secrets and encrypting those stored in clear. Webhook secrets are stored as the services hand them over:
 * encrypted ({@code enc:v1:}, see {@code SecretCipher}) when a secrets encryption key is configured, in clear
 * otherwise. Tenants and keys are created and read with JPA, in the api-service only: {@link TenantEntityRepository}.
 */
@Repository
public class TenantRepository {

    private static final String REVOKE_KEY = """
            UPDATE api_keys SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL
            """;

    /** The replaced secret stays valid until :previousValidUntil; one replaced earlier is dropped. */
    private static final String ROTATE_WEBHOOK_SECRET = """
            UPDATE tenants t
               SET previous_webhook_secret = t.webhook_secret,
                   previous_webhook_secret_expires_at = :previousValidUntil,
                   webhook_secret = :secret
              FROM api_keys k
             WHERE k.id = :keyId AND k.revoked_at IS NULL AND t.id = k.tenant_id
            RETURNING t.id
            """;

    private static final String FIND_TENANT_OF_LIVE_KEY = """
            SELECT tenant_id FROM api_keys WHERE id = :keyId AND revoked_at IS NULL
            """;

    /** Tenants with a secret not yet encrypted (a NULL previous secret is nothing to encrypt), in id order. */
    private static final String FIND_CLEAR_WEBHOOK_SECRETS = """
            SELECT id, webhook_secret, previous_webhook_secret FROM tenants
             WHERE id > :after
               AND (NOT starts_with(webhook_secret, :encryptedPrefix)
                    OR NOT starts_with(previous_webhook_secret, :encryptedPrefix))
             ORDER BY id
             LIMIT :limit
            """;

    /** Compare-and-set: a secret changed since it was read (rotated, or encrypted by another replica) is kept. */
    private static final String REPLACE_WEBHOOK_SECRET = """
            UPDATE tenants SET webhook_secret = :replacement WHERE id = :id AND webhook_secret = :expected
            """;

    private static final String REPLACE_PREVIOUS_WEBHOOK_SECRET = """
            UPDATE tenants SET previous_webhook_secret = :replacement
             WHERE id = :id AND previous_webhook_secret = :expected
            """;

    private final JdbcClient jdbc;

    TenantRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Revokes a key; false when there is no such live key. */
    public boolean revokeKey(String keyId, Instant now) {
        return jdbc.sql(REVOKE_KEY)
                        .param("id", keyId)
                        .param("now", Timestamps.bind(now))
                        .update()
                == 1;
    }

    /**
     * Gives the tenant of the live key {@code keyId} a new webhook secret, keeping the one it replaces valid until
     * {@code previousValidUntil}; returns the tenant's id, or empty when there is no such live key.
     */
    public Optional<String> rotateWebhookSecret(String keyId, String secret, Instant previousValidUntil) {
        return jdbc.sql(ROTATE_WEBHOOK_SECRET)
                .param("keyId", keyId)
                .param("secret", secret)
                .param("previousValidUntil", Timestamps.bind(previousValidUntil))
                .query(String.class)
                .optional();
    }

    /** The tenant of the live (unrevoked) key {@code keyId}. */
    public Optional<String> findTenantIdOfLiveKey(String keyId) {
        return jdbc.sql(FIND_TENANT_OF_LIVE_KEY)
                .param("keyId", keyId)
                .query(String.class)
                .optional();
    }

    /**
     * Up to {@code limit} tenants, in id order after {@code afterTenantId} (empty string: from the first), whose
     * webhook secret or previous secret as stored does not start with {@code encryptedPrefix}.
     */
    public List<StoredWebhookSecrets> findClearWebhookSecrets(String encryptedPrefix, String afterTenantId, int limit) {
        return jdbc.sql(FIND_CLEAR_WEBHOOK_SECRETS)
                .param("encryptedPrefix", encryptedPrefix)
                .param("after", afterTenantId)
                .param("limit", limit)
                .query((rs, n) -> new StoredWebhookSecrets(
                        rs.getString("id"), rs.getString("webhook_secret"), rs.getString("previous_webhook_secret")))
                .list();
    }

    /** Stores {@code replacement} as the tenant's webhook secret if it is still {@code expected}; whether it was. */
    public boolean replaceWebhookSecret(String tenantId, String expected, String replacement) {
        return jdbc.sql(REPLACE_WEBHOOK_SECRET)
                        .param("id", tenantId)
                        .param("expected", expected)
                        .param("replacement", replacement)
                        .update()
                == 1;
    }

    /** Stores {@code replacement} as the tenant's previous secret if it is still {@code expected}; whether it was. */
    public boolean replacePreviousWebhookSecret(String tenantId, String expected, String replacement) {
        return jdbc.sql(REPLACE_PREVIOUS_WEBHOOK_SECRET)
                        .param("id", tenantId)
                        .param("expected", expected)
                        .param("replacement", replacement)
                        .update()
                == 1;
    }
}
