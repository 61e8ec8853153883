package dev.sluice.db.webhook;

import dev.sluice.db.Timestamps;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code webhook_deliveries} table: every attempt to deliver a webhook event, inserted once by the worker
 * that made it and never changed. The api-service lists them for tenants and operators with JPA
 * ({@link WebhookDeliveryEntityRepository}).
 */
@Repository
public class WebhookDeliveryRepository {

    private static final int MAX_ERROR = 500;

    private static final String INSERT = """
            INSERT INTO webhook_deliveries (id, event_id, tenant_id, subject_id, attempt, url, status, response_status,
                                            error, duration_ms, attempted_at, next_attempt_at)
            VALUES (:id, :eventId, :tenantId, :subjectId, :attempt, :url, :status, :responseStatus, :error,
                    :durationMs, :attemptedAt, :nextAttemptAt)
            """;

    private final JdbcClient jdbc;

    WebhookDeliveryRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records one attempt (an error longer than 500 characters is cut). */
    public void insert(WebhookDelivery delivery) {
        String error = delivery.error();
        if (error != null && error.length() > MAX_ERROR) {
            error = error.substring(0, MAX_ERROR);
        }
        jdbc.sql(INSERT)
                .param("id", delivery.id())
                .param("eventId", delivery.eventId())
                .param("tenantId", delivery.tenantId())
                .param("subjectId", delivery.subjectId())
                .param("attempt", delivery.attempt())
                .param("url", delivery.url())
                .param("status", delivery.status())
                .param("responseStatus", delivery.responseStatus())
                .param("error", error)
                .param("durationMs", delivery.durationMs())
                .param("attemptedAt", Timestamps.bind(delivery.attemptedAt()))
                .param("nextAttemptAt", Timestamps.bind(delivery.nextAttemptAt()))
                .update();
    }
}
