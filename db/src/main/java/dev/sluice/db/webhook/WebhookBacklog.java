package dev.sluice.db.webhook;

import java.time.Instant;

/**
 * The webhook outbox's backlog, for the workers' gauges.
 *
 * @param pending      events still {@code pending}: due now, being sent, or waiting for a retry
 * @param oldestSince  when the oldest pending event was created; null when none is pending
 */
public record WebhookBacklog(long pending, Instant oldestSince) {}
