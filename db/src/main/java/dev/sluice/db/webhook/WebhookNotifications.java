package dev.sluice.db.webhook;

/**
 * What PostgreSQL announces about webhook work on {@link #CHANNEL} (the triggers of V28, when the transaction that
 * made the work commits), so that workers sweep and deliver when there is something to do instead of every second.
 */
public final class WebhookNotifications {

    /** The channel; the payload is {@link #SUBJECT} or {@link #EVENT}. */
    public static final String CHANNEL = "sluice_webhooks";

    /** A batch or single job with a {@code webhook_url} and no event yet became terminal: the events sweep runs. */
    public static final String SUBJECT = "subject";

    /** An event was made, or comes due at a new time (a retry, a redelivery): deliverers read the next due time. */
    public static final String EVENT = "event";

    private WebhookNotifications() {}
}
