package dev.sluice.db.operations;

import dev.sluice.db.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code worker_heartbeats} table: which live worker dispatches which models. */
@Repository
public class WorkerHeartbeatRepository {

    /** A worker counts as live (a consumer of its models) while its last heartbeat is younger than this. */
    public static final Duration LIVE_WITHIN = Duration.ofSeconds(30);

    private static final String BEAT = """
            INSERT INTO worker_heartbeats (worker_id, models, seen_at) VALUES (:workerId, :models, :now)
            ON CONFLICT ON CONSTRAINT worker_heartbeats_pk
            DO UPDATE SET models = EXCLUDED.models, seen_at = EXCLUDED.seen_at
            """;

    private static final String FORGET = """
            DELETE FROM worker_heartbeats WHERE worker_id = :workerId
            """;

    /** Workers gone for long are of no interest; their rows would otherwise stay forever. */
    private static final String FORGET_SILENT = """
            DELETE FROM worker_heartbeats WHERE seen_at < :before
            """;

    private final JdbcClient jdbc;

    public WorkerHeartbeatRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records that the worker is alive and dispatches exactly {@code models}. */
    public void beat(String workerId, Collection<String> models, Instant now) {
        jdbc.sql(BEAT)
                .param("workerId", workerId)
                .param("models", models.toArray(String[]::new))
                .param("now", Timestamps.bind(now))
                .update();
    }

    /** Removes the worker, which is stopping. */
    public void forget(String workerId) {
        jdbc.sql(FORGET).param("workerId", workerId).update();
    }

    /** Removes workers not seen since {@code before}; returns how many. */
    public int forgetSilent(Instant before) {
        return jdbc.sql(FORGET_SILENT).param("before", Timestamps.bind(before)).update();
    }
}
