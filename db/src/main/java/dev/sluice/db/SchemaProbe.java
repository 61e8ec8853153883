package dev.sluice.db;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Tells a worker whether the schema it needs is there yet. The api-service runs the migrations; a worker
 * started at the same moment waits for them instead of running Flyway itself.
 */
@Repository
public class SchemaProbe {

    /**
     * Touches every table the worker uses and the newest columns it reads; fails until the migrations that
     * create them have run. A migration that adds something the worker needs adds it here too.
     */
    private static final String PROBE_WORKER_SCHEMA = """
            SELECT j.cached, j.retried_at, b.publishing_until, b.webhook_events
            FROM jobs j, batches b, files, models, pacer_budgets, webhook_events, webhook_deliveries,
                 response_cache, worker_heartbeats, alert_states
            LIMIT 0
            """;

    private final JdbcClient jdbc;

    public SchemaProbe(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Returns if every table and column the worker reads exists.
     *
     * @throws org.springframework.dao.DataAccessException if one does not (or the database cannot be reached)
     */
    public void checkWorkerSchema() {
        jdbc.sql(PROBE_WORKER_SCHEMA).query().rowSet();
    }
}
