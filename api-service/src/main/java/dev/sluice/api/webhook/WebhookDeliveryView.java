package dev.sluice.api.webhook;

import dev.sluice.db.webhook.WebhookDelivery;
import jakarta.annotation.Nullable;
import java.time.Instant;

/**
 * One delivery attempt as the API shows it. Times are unix seconds.
 *
 * @param id             {@code whdel_...}, what {@code .../redeliver} names
 * @param object         always {@code webhook_delivery}
 * @param eventId        the event ({@code evt_...}), the {@code webhook-id} header of every attempt
 * @param eventType      e.g. {@code batch.completed}
 * @param attempt        the event's attempt number, from 1
 * @param url            where it was sent
 * @param status         {@code delivered}, {@code failed} or {@code refused}
 * @param responseStatus the receiver's HTTP status, or null when none came
 * @param error          what went wrong, or null
 * @param durationMs     how long the attempt took
 * @param createdAt      when it was made
 * @param nextAttemptAt  when the event is tried again after this attempt, or null
 */
record WebhookDeliveryView(
        String id,
        String object,
        String eventId,
        String eventType,
        int attempt,
        String url,
        String status,
        @Nullable Integer responseStatus,
        @Nullable String error,
        long durationMs,
        long createdAt,
        @Nullable Long nextAttemptAt) {

    static WebhookDeliveryView of(WebhookDelivery delivery) {
        Instant next = delivery.nextAttemptAt();
        return new WebhookDeliveryView(
                delivery.id(),
                "webhook_delivery",
                delivery.eventId(),
                delivery.eventType(),
                delivery.attempt(),
                delivery.url(),
                delivery.status(),
                delivery.responseStatus(),
                delivery.error(),
                delivery.durationMs(),
                delivery.attemptedAt().getEpochSecond(),
                next == null ? null : next.getEpochSecond());
    }
}
