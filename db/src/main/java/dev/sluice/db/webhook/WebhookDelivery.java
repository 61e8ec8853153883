package dev.sluice.db.webhook;

import java.time.Instant;

/**
 * One attempt to deliver a webhook event.
 *
 * @param id             {@code whdel_...}
 * @param eventId        the event ({@code evt_...}, the {@code webhook-id} header)
 * @param eventType      e.g. {@code batch.completed}
 * @param tenantId       its tenant
 * @param subjectId      the batch or job the event is about
 * @param attempt        the event's attempt number, from 1
 * @param url            where it was sent
 * @param status         {@code delivered}, {@code failed} or {@code refused}
 * @param responseStatus the receiver's HTTP status, or null when none came
 * @param error          what went wrong, or null
 * @param durationMs     how long the attempt took
 * @param attemptedAt    when it started
 * @param nextAttemptAt  when the event is tried again after this attempt, or null when it is not
 */
public record WebhookDelivery(
        String id,
        String eventId,
        String eventType,
        String tenantId,
        String subjectId,
        int attempt,
        String url,
        String status,
        Integer responseStatus,
        String error,
        long durationMs,
        Instant attemptedAt,
        Instant nextAttemptAt) {}
