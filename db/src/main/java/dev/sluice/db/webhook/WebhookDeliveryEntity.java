package dev.sluice.db.webhook;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.Formula;
import org.hibernate.annotations.Immutable;

/** A row of {@code webhook_deliveries} as JPA reads it: written once per attempt, in SQL by a worker, never changed. */
@Entity
@Immutable
@Table(name = "webhook_deliveries")
class WebhookDeliveryEntity {

    @Id
    private String id;

    @Column(name = "event_id")
    private String eventId;

    /** Read from the event the attempt delivered ({@code webhook_events} is SQL-only, see WebhookEventRepository). */
    @Formula("(SELECT e.type FROM webhook_events e WHERE e.id = event_id)")
    private String eventType;

    @Column(name = "tenant_id")
    private String tenantId;

    @Column(name = "subject_id")
    private String subjectId;

    private int attempt;

    private String url;

    private String status;

    @Column(name = "response_status")
    private Integer responseStatus;

    private String error;

    @Column(name = "duration_ms")
    private int durationMs;

    @Column(name = "attempted_at")
    private Instant attemptedAt;

    @Column(name = "next_attempt_at")
    private Instant nextAttemptAt;

    protected WebhookDeliveryEntity() {}

    WebhookDelivery toDelivery() {
        return new WebhookDelivery(
                id,
                eventId,
                eventType,
                tenantId,
                subjectId,
                attempt,
                url,
                status,
                responseStatus,
                error,
                durationMs,
                attemptedAt,
                nextAttemptAt);
    }
}
