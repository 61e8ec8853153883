package dev.sluice.worker;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Holds the worker back until the schema exists. The api-service runs the migrations; a worker started
 * at the same moment (docker compose, a fresh database) must neither crash nor run Flyway itself.
 */
@Component
class SchemaGate {

    private static final Logger log = LoggerFactory.getLogger(SchemaGate.class);

    /**
     * Touches every table the worker uses and the newest columns it reads; fails until the migrations that
     * create them have run. A migration that adds something the worker needs adds it here too.
     */
    private static final String PROBE = """
            SELECT j.cached, j.retried_at, b.publishing_until, b.webhook_events
            FROM jobs j, batches b, files, models, pacer_budgets, webhook_events, webhook_deliveries,
                 response_cache, worker_heartbeats, alert_states
            LIMIT 0
            """;

    private static final Duration POLL = Duration.ofSeconds(2);

    private final JdbcClient jdbc;

    SchemaGate(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Returns once the schema is there, polling every two seconds and saying so while it waits. */
    void await() throws InterruptedException {
        for (int polls = 0; ; polls++) {
            try {
                jdbc.sql(PROBE).query().rowSet();
                if (polls > 0) {
                    log.info("Database schema found; starting work");
                }
                return;
            } catch (DataAccessException e) {
                // Every 10 s rather than every poll: one clear line, not a flood.
                if (polls % 5 == 0) {
                    log.info("Waiting for the database schema (the api-service runs the migrations): {}",
                            rootMessage(e));
                }
            }
            Thread.sleep(POLL);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String message = String.valueOf(root.getMessage());
        return message.lines().findFirst().orElse(message);
    }
}
