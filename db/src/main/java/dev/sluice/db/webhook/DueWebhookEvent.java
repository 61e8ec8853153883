package dev.sluice.db.webhook;

import java.util.List;

/**
 * A webhook event claimed for one delivery attempt.
 *
 * @param id            the event id, sent as {@code webhook-id}
 * @param tenantId      its tenant
 * @param subjectId     the batch or job it is about
 * @param type          e.g. {@code batch.completed}
 * @param url           where it goes
 * @param payload       the exact body
 * @param attempt       this attempt's number, from 1
 * @param roundAttempt  this attempt's number since the last redelivery, from 1; indexes the retry schedule
 * @param secrets       the tenant's current secret, then the one it replaced while that is still valid
 */
public record DueWebhookEvent(
        String id,
        String tenantId,
        String subjectId,
        String type,
        String url,
        String payload,
        int attempt,
        int roundAttempt,
        List<String> secrets) {

    @Override
    public String toString() {
        // The secrets never reach a log.
        return "DueWebhookEvent[id=" + id + ", subject=" + subjectId + ", type=" + type + ", attempt=" + attempt + "]";
    }
}
