package dev.sluice.db.ratelimit;

import dev.sluice.common.Limit;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Duration;
import java.time.Instant;
import org.hibernate.annotations.Immutable;

/** A row of {@code rate_limit_events} as JPA reads it: one 429, written once, in SQL by a worker. */
@Entity
@Immutable
@Table(name = "rate_limit_events")
class RateLimitEventEntity {

    @Id
    private Long id;

    private String model;

    private String credential;

    @Column(name = "job_id")
    private String jobId;

    @Column(name = "occurred_at")
    private Instant occurredAt;

    private String message;

    @Column(name = "retry_after_ms")
    private Long retryAfterMs;

    @Column(name = "learned_unit")
    private String learnedUnit;

    @Column(name = "learned_amount")
    private Long learnedAmount;

    @Column(name = "learned_window_ms")
    private Long learnedWindowMs;

    @Column(name = "paused_until")
    private Instant pausedUntil;

    protected RateLimitEventEntity() {}

    RateLimitEvent toEvent() {
        return new RateLimitEvent(
                id,
                model,
                credential,
                jobId,
                occurredAt,
                message,
                retryAfterMs == null ? null : Duration.ofMillis(retryAfterMs),
                learnedAmount == null
                        ? null
                        : new Limit(
                                Limit.Unit.fromWire(learnedUnit == null ? "requests" : learnedUnit),
                                learnedAmount,
                                Duration.ofMillis(learnedWindowMs)),
                pausedUntil);
    }
}
