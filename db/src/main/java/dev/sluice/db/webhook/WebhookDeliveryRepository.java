package dev.sluice.db.webhook;

import dev.sluice.db.Timestamps;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code webhook_deliveries} table: every attempt to deliver a webhook event, as the tenant may list them. */
@Repository
public class WebhookDeliveryRepository {

    private static final int MAX_ERROR = 500;

    private static final String INSERT = """
            INSERT INTO webhook_deliveries (id, event_id, tenant_id, subject_id, attempt, url, status, response_status,
                                            error, duration_ms, attempted_at, next_attempt_at)
            VALUES (:id, :eventId, :tenantId, :subjectId, :attempt, :url, :status, :responseStatus, :error,
                    :durationMs, :attemptedAt, :nextAttemptAt)
            """;

    private static final String LIST_FOR_SUBJECT = """
            SELECT d.*, e.type AS event_type FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
             WHERE d.tenant_id = :tenantId AND d.subject_id = :subjectId
             ORDER BY d.attempted_at, d.attempt
            """;

    private static final String FIND = """
            SELECT d.*, e.type AS event_type FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
             WHERE d.tenant_id = :tenantId AND d.subject_id = :subjectId AND d.id = :id
            """;

    /** The operator's list: every tenant's attempts, newest first, optionally of one status, subject or tenant. */
    private static final String RECENT = """
            SELECT d.*, e.type AS event_type FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
             WHERE (CAST(:status AS text) IS NULL OR d.status = :status)
               AND (CAST(:subjectId AS text) IS NULL OR d.subject_id = :subjectId)
               AND (CAST(:tenantId AS text) IS NULL OR d.tenant_id = :tenantId)
             ORDER BY d.attempted_at DESC, d.id DESC
             LIMIT :limit
            """;

    private static final String FIND_ANY = """
            SELECT d.*, e.type AS event_type FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
             WHERE d.id = :id
            """;

    private final JdbcClient jdbc;

    public WebhookDeliveryRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records one attempt. */
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

    /** Every attempt for the tenant's batch or job, oldest first. */
    public List<WebhookDelivery> listForSubject(String tenantId, String subjectId) {
        return jdbc.sql(LIST_FOR_SUBJECT).param("tenantId", tenantId).param("subjectId", subjectId)
                .query((rs, n) -> read(rs)).list();
    }

    /** One attempt for the tenant's batch or job. */
    public Optional<WebhookDelivery> find(String tenantId, String subjectId, String id) {
        return jdbc.sql(FIND).param("tenantId", tenantId).param("subjectId", subjectId).param("id", id)
                .query((rs, n) -> read(rs)).optional();
    }

    /** For the operator: up to {@code limit} attempts of any tenant, newest first; null filters match everything. */
    public List<WebhookDelivery> recent(String status, String subjectId, String tenantId, int limit) {
        return jdbc.sql(RECENT).param("status", status).param("subjectId", subjectId).param("tenantId", tenantId)
                .param("limit", limit).query((rs, n) -> read(rs)).list();
    }

    /** For the operator: one attempt, whichever tenant's it is. */
    public Optional<WebhookDelivery> find(String id) {
        return jdbc.sql(FIND_ANY).param("id", id).query((rs, n) -> read(rs)).optional();
    }

    private static WebhookDelivery read(ResultSet rs) throws SQLException {
        return new WebhookDelivery(rs.getString("id"), rs.getString("event_id"), rs.getString("event_type"),
                rs.getString("tenant_id"), rs.getString("subject_id"), rs.getInt("attempt"), rs.getString("url"),
                rs.getString("status"), Timestamps.readInt(rs, "response_status"), rs.getString("error"),
                rs.getLong("duration_ms"), Timestamps.read(rs, "attempted_at"), Timestamps.read(rs, "next_attempt_at"));
    }
}
