package dev.sluice.common.secret;

import java.util.Optional;

/**
 * The {@code sluice.secrets.*} settings, shared by the api-service (which encrypts) and the worker (which
 * decrypts), bound as a nested record of each service's properties and checked when bound.
 *
 * @param encryptionKey {@code SLUICE_SECRETS_ENCRYPTION_KEY}: base64 of 32 random bytes
 *                      ({@code openssl rand -base64 32}), the AES-256-GCM key tenants' webhook secrets are
 *                      encrypted with at rest. Both services need the same key. Unset or blank: secrets are stored
 *                      in clear and a WARN at start says so. A value that is not base64 of 32 bytes stops the
 *                      service at start. Never logged
 */
public record SecretsSettings(String encryptionKey) {

    private static final String UNENCRYPTED_WARNING = "SLUICE_SECRETS_ENCRYPTION_KEY is not set: tenants' webhook "
            + "secrets are stored unencrypted. Set it to the output of 'openssl rand -base64 32' (the same value for "
            + "the api-service and the worker) to encrypt them at rest.";

    public SecretsSettings {
        encryptionKey = encryptionKey == null || encryptionKey.isBlank() ? null : encryptionKey.strip();
        try {
            SecretCipher.of(encryptionKey);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "sluice.secrets.encryption-key (SLUICE_SECRETS_ENCRYPTION_KEY): " + e.getMessage());
        }
    }

    /** The cipher the key gives; a clear one when there is no key. */
    public SecretCipher cipher() {
        return SecretCipher.of(encryptionKey);
    }

    /** The WARN line a service logs at start: present when no key is configured, saying how to set one. */
    public Optional<String> startupWarning() {
        return encryptionKey == null ? Optional.of(UNENCRYPTED_WARNING) : Optional.empty();
    }

    @Override
    public String toString() {
        return "SecretsSettings[encryptionKey=" + (encryptionKey == null ? "unset" : "***") + "]";
    }
}
