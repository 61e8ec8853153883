package dev.sluice.db.ratelimit;

import dev.sluice.common.Limit;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Duration;
import java.time.Instant;
import org.hibernate.annotations.Immutable;

/** A row of {@code rate_limit_events}: one 429, written once; the id is the database's identity. */
@Entity
@Immutable
@Table(name = "rate_limit_events")
class RateLimitEventEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
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

    @Column(name = "learned_requests")
    private Integer learnedRequests;

    @Column(name = "learned_window_ms")
    private Long learnedWindowMs;

    @Column(name = "paused_until")
    private Instant pausedUntil;

    protected RateLimitEventEntity() {
    }

    RateLimitEventEntity(RateLimitEvent event, String message) {
        this.model = event.model();
        this.credential = event.credential();
        this.jobId = event.jobId();
        this.occurredAt = event.occurredAt();
        this.message = message;
        this.retryAfterMs = event.retryAfter() == null ? null : event.retryAfter().toMillis();
        this.learnedRequests = event.learned() == null ? null : event.learned().requests();
        this.learnedWindowMs = event.learned() == null ? null : event.learned().window().toMillis();
        this.pausedUntil = event.pausedUntil();
    }

    RateLimitEvent toEvent() {
        return new RateLimitEvent(id, model, credential, jobId, occurredAt, message,
                retryAfterMs == null ? null : Duration.ofMillis(retryAfterMs),
                learnedRequests == null ? null : new Limit(learnedRequests, Duration.ofMillis(learnedWindowMs)),
                pausedUntil);
    }
}
