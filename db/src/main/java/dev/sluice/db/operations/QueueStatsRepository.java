package dev.sluice.db.operations;

import dev.sluice.db.Timestamps;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Read-only counts behind {@code GET /admin/queues} and the workers' queue gauges: one
 * row per known model, counted from the {@code jobs}, {@code batch_job_counts}, {@code rate_limit_events} and
 * {@code worker_heartbeats} tables.
 */
@Repository
public class QueueStatsRepository {

    /** Each lateral count runs on an index: queued by model (V8), running by lease (V3), events by model (V6). */
    private static final String PER_MODEL = """
            SELECT m.model, q.waiting, q.oldest, r.running, e.rate_limited, w.consumers
              FROM models m
              CROSS JOIN LATERAL (SELECT count(*) AS waiting, min(j.created_at) AS oldest
                                    FROM jobs j WHERE j.model = m.model AND j.status = 'queued') q
              CROSS JOIN LATERAL (SELECT count(*) AS running
                                    FROM jobs j WHERE j.model = m.model AND j.status = 'running') r
              CROSS JOIN LATERAL (SELECT count(*) AS rate_limited
                                    FROM rate_limit_events ev
                                   WHERE ev.model = m.model AND ev.occurred_at > :eventsSince) e
              CROSS JOIN LATERAL (SELECT count(*) AS consumers
                                    FROM worker_heartbeats h
                                   WHERE m.model = ANY (h.models) AND h.seen_at > :aliveSince) w
             ORDER BY m.model
            """;

    private final JdbcClient jdbc;

    public QueueStatsRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Every model's counts, by model id: 429s since {@code eventsSince}, consumers among the workers seen
     * since {@code aliveSince}.
     */
    public List<QueueStats> perModel(Instant eventsSince, Instant aliveSince) {
        return jdbc.sql(PER_MODEL)
                .param("eventsSince", Timestamps.bind(eventsSince))
                .param("aliveSince", Timestamps.bind(aliveSince))
                .query((rs, n) -> new QueueStats(
                        rs.getString("model"),
                        rs.getLong("waiting"),
                        rs.getLong("running"),
                        Timestamps.read(rs, "oldest"),
                        rs.getLong("rate_limited"),
                        rs.getInt("consumers")))
                .list();
    }
}
