package dev.sluice.worker.webhook;

/** What one delivery attempt came to; the delivery loop switches over it to decide what happens next. */
sealed interface SendResult {

    /** The receiver answered 2xx: delivered. */
    record Delivered(int status) implements SendResult {}

    /** The receiver answered 410 Gone: it wants no more, so retries stop. */
    record Gone(int status) implements SendResult {}

    /** Another status: retried on the schedule. */
    record Rejected(int status) implements SendResult {}

    /** No answer (connection refused or reset, timeout, unknown host): retried on the schedule. */
    record Unreachable(String error) implements SendResult {}

    /**
     * The tenant's current secret could not be decrypted (no or another {@code SLUICE_SECRETS_ENCRYPTION_KEY}):
     * nothing was sent; retried on the schedule, so that deliveries resume once the key is put right.
     */
    record Unsigned(String reason) implements SendResult {}

    /** The address is not allowed (SSRF protection): nothing was sent and nothing will be. */
    record Refused(String reason) implements SendResult {}
}
