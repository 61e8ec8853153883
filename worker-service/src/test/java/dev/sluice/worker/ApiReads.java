package dev.sluice.worker;

import dev.sluice.common.Limit;
import dev.sluice.db.Timestamps;
import dev.sluice.db.file.FileRow;
import dev.sluice.db.ratelimit.RateLimitEvent;
import dev.sluice.db.webhook.WebhookDelivery;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.test.context.TestComponent;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Reads back what the worker recorded for the api-service to show — webhook delivery attempts, 429s, a result
 * file's row — since the api-service is not part of these tests. It reads them with JPA, which the worker has not
 * on its classpath (docs/architecture.md, "Persistence"), so these are plain queries.
 */
@TestComponent
public class ApiReads {

    private final JdbcClient jdbc;

    ApiReads(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Every delivery attempt for the tenant's batch or job, oldest first. */
    public List<WebhookDelivery> deliveries(String tenantId, String subjectId) {
        return jdbc.sql("""
                SELECT d.*, e.type AS event_type FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
                 WHERE d.tenant_id = :tenantId AND d.subject_id = :subjectId
                 ORDER BY d.attempted_at, d.attempt
                """)
                .param("tenantId", tenantId)
                .param("subjectId", subjectId)
                .query((rs, n) -> new WebhookDelivery(
                        rs.getString("id"),
                        rs.getString("event_id"),
                        rs.getString("event_type"),
                        rs.getString("tenant_id"),
                        rs.getString("subject_id"),
                        rs.getInt("attempt"),
                        rs.getString("url"),
                        rs.getString("status"),
                        Timestamps.readInt(rs, "response_status"),
                        rs.getString("error"),
                        rs.getLong("duration_ms"),
                        Timestamps.read(rs, "attempted_at"),
                        Timestamps.read(rs, "next_attempt_at")))
                .list();
    }

    /** Every 429 recorded for the model, newest first. */
    public List<RateLimitEvent> rateLimitEvents(String model) {
        return jdbc.sql("SELECT * FROM rate_limit_events WHERE model = :model ORDER BY id DESC")
                .param("model", model)
                .query((rs, n) -> {
                    Long retryAfterMs = Timestamps.readLong(rs, "retry_after_ms");
                    Long learnedAmount = Timestamps.readLong(rs, "learned_amount");
                    String learnedUnit = rs.getString("learned_unit");
                    return new RateLimitEvent(
                            rs.getLong("id"),
                            rs.getString("model"),
                            rs.getString("credential"),
                            rs.getString("job_id"),
                            Timestamps.read(rs, "occurred_at"),
                            rs.getString("message"),
                            retryAfterMs == null ? null : Duration.ofMillis(retryAfterMs),
                            learnedAmount == null
                                    ? null
                                    : new Limit(
                                            Limit.Unit.fromWire(learnedUnit),
                                            learnedAmount,
                                            Duration.ofMillis(rs.getLong("learned_window_ms"))),
                            Timestamps.read(rs, "paused_until"));
                })
                .list();
    }

    /** The tenant's file with this id. */
    public Optional<FileRow> file(String tenantId, String id) {
        return jdbc.sql("SELECT * FROM files WHERE id = :id AND tenant_id = :tenantId")
                .param("id", id)
                .param("tenantId", tenantId)
                .query((rs, n) -> new FileRow(
                        rs.getString("id"),
                        rs.getString("tenant_id"),
                        rs.getString("purpose"),
                        rs.getString("filename"),
                        rs.getObject("bytes", Long.class),
                        rs.getString("batch_id"),
                        rs.getString("kind"),
                        Timestamps.read(rs, "created_at")))
                .optional();
    }
}
