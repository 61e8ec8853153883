package dev.sluice.common.secret;

/**
 * A stored secret that cannot be read: it is encrypted and the key is missing or another, or the value was
 * altered or belongs to another tenant. The message names the tenant and the cause, never the secret.
 */
public final class UnreadableSecretException extends RuntimeException {

    UnreadableSecretException(String message) {
        super(message);
    }
}
