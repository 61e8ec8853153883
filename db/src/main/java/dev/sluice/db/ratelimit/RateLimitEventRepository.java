package dev.sluice.db.ratelimit;

import dev.sluice.common.Limit;
import dev.sluice.db.Timestamps;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code rate_limit_events} table: every 429 seen, newest first when read. */
@Repository
public class RateLimitEventRepository {

    private static final int MAX_MESSAGE = 500;

    private static final String INSERT = """
            INSERT INTO rate_limit_events (model, credential, job_id, occurred_at, message, retry_after_ms,
                                           learned_requests, learned_window_ms, paused_until)
            VALUES (:model, :credential, :jobId, :occurredAt, :message, :retryAfterMs, :learnedRequests,
                    :learnedWindowMs, :pausedUntil)
            """;

    private static final String RECENT = """
            SELECT * FROM rate_limit_events
             WHERE (CAST(:model AS text) IS NULL OR model = :model)
               AND (CAST(:beforeId AS bigint) IS NULL OR id < :beforeId)
             ORDER BY id DESC
             LIMIT :limit
            """;

    /** The 429s one job met; through the model's index, as events carry no index of their own by job. */
    private static final String OF_JOB = """
            SELECT * FROM rate_limit_events
             WHERE model = :model AND job_id = :jobId
             ORDER BY occurred_at
             LIMIT :limit
            """;

    private final JdbcClient jdbc;

    public RateLimitEventRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Stores one event. */
    public void record(RateLimitEvent event) {
        String message = event.message();
        if (message != null && message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE);
        }
        jdbc.sql(INSERT)
                .param("model", event.model())
                .param("credential", event.credential())
                .param("jobId", event.jobId())
                .param("occurredAt", Timestamps.bind(event.occurredAt()))
                .param("message", message)
                .param("retryAfterMs", event.retryAfter() == null ? null : event.retryAfter().toMillis())
                .param("learnedRequests", event.learned() == null ? null : event.learned().requests())
                .param("learnedWindowMs", event.learned() == null ? null : event.learned().window().toMillis())
                .param("pausedUntil", Timestamps.bind(event.pausedUntil()))
                .update();
    }

    /** Up to {@code limit} events, newest first, optionally of one model, older than event {@code beforeId}. */
    public List<RateLimitEvent> recent(String model, Long beforeId, int limit) {
        return jdbc.sql(RECENT).param("model", model).param("beforeId", beforeId).param("limit", limit)
                .query((rs, n) -> read(rs))
                .list();
    }

    /** Up to {@code limit} 429s met by job {@code jobId} of {@code model}, oldest first. */
    public List<RateLimitEvent> ofJob(String model, String jobId, int limit) {
        return jdbc.sql(OF_JOB).param("model", model).param("jobId", jobId).param("limit", limit)
                .query((rs, n) -> read(rs)).list();
    }

    private static RateLimitEvent read(ResultSet rs) throws SQLException {
        Long retryAfterMs = Timestamps.readLong(rs, "retry_after_ms");
        Integer learnedRequests = Timestamps.readInt(rs, "learned_requests");
        return new RateLimitEvent(rs.getLong("id"), rs.getString("model"), rs.getString("credential"),
                rs.getString("job_id"), Timestamps.read(rs, "occurred_at"), rs.getString("message"),
                retryAfterMs == null ? null : Duration.ofMillis(retryAfterMs),
                learnedRequests == null ? null
                        : new Limit(learnedRequests, Duration.ofMillis(rs.getLong("learned_window_ms"))),
                Timestamps.read(rs, "paused_until"));
    }
}
