package dev.sluice.db.ratelimit;

import dev.sluice.db.Timestamps;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code rate_limit_events} table: every 429 a worker received, inserted once by that worker. The api-service
 * lists them, newest first, with JPA ({@link RateLimitEventEntityRepository}).
 */
@Repository
public class RateLimitEventRepository {

    private static final int MAX_MESSAGE = 500;

    private static final String INSERT = """
            INSERT INTO rate_limit_events (model, credential, job_id, occurred_at, message, retry_after_ms,
                                           learned_unit, learned_amount, learned_window_ms, paused_until)
            VALUES (:model, :credential, :jobId, :occurredAt, :message, :retryAfterMs, :learnedUnit, :learnedAmount,
                    :learnedWindowMs, :pausedUntil)
            """;

    private final JdbcClient jdbc;

    RateLimitEventRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Stores one event (a message longer than 500 characters is cut). */
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
                .param(
                        "retryAfterMs",
                        event.retryAfter() == null ? null : event.retryAfter().toMillis())
                .param(
                        "learnedUnit",
                        event.learned() == null ? null : event.learned().unit().wireName())
                .param(
                        "learnedAmount",
                        event.learned() == null ? null : event.learned().amount())
                .param(
                        "learnedWindowMs",
                        event.learned() == null
                                ? null
                                : event.learned().window().toMillis())
                .param("pausedUntil", Timestamps.bind(event.pausedUntil()))
                .update();
    }
}
