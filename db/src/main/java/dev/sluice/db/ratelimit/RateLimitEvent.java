package dev.sluice.db.ratelimit;

import dev.sluice.common.Limit;
import java.time.Duration;
import java.time.Instant;

/**
 * One 429 a worker received.
 *
 * @param id          assigned by the database (0 before it is stored)
 * @param model       the model
 * @param credential  the fingerprint of the upstream key it was sent with
 * @param jobId       the job that was refused
 * @param occurredAt  when
 * @param message     the provider's error message, truncated
 * @param retryAfter  the provider's {@code Retry-After}, or null
 * @param learned     the limit the message or headers stated, or null
 * @param pausedUntil until when the model was paused for this key
 */
public record RateLimitEvent(
        long id,
        String model,
        String credential,
        String jobId,
        Instant occurredAt,
        String message,
        Duration retryAfter,
        Limit learned,
        Instant pausedUntil) {}
