package dev.sluice.db.tenant;

/**
 * The owner of batches, jobs and files, as authentication resolves it from a bearer key.
 *
 * @param id            the tenant id
 * @param name          the name given when its key was created
 * @param webhookSecret the {@code whsec_} secret its webhooks are signed with, as stored: encrypted
 *                      ({@code enc:v1:…}) when a secrets encryption key is configured, so open it with
 *                      {@code SecretCipher} before use
 */
public record Tenant(String id, String name, String webhookSecret) {

    @Override
    public String toString() {
        // Never print the secret, whatever logs this record.
        return "Tenant[id=" + id + ", name=" + name + "]";
    }
}
