package dev.sluice.db.tenant;

/**
 * A tenant's webhook secrets exactly as stored (each clear or {@code enc:v1:} encrypted), for re-encryption.
 *
 * @param tenantId              the tenant
 * @param webhookSecret         its current secret
 * @param previousWebhookSecret the one it replaced, or null
 */
public record StoredWebhookSecrets(String tenantId, String webhookSecret, String previousWebhookSecret) {

    @Override
    public String toString() {
        // Possibly clear secrets: never printed.
        return "StoredWebhookSecrets[tenantId=" + tenantId + "]";
    }
}
