package dev.sluice.db.operations;

import dev.sluice.db.Timestamps;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Read-only counts behind {@code GET /admin/queues} and the workers' queue gauges: one
 * row per known model, from the open batches' kept counts ({@code batch_job_counts}), the unfinished single jobs,
 * and the {@code rate_limit_events} and {@code worker_heartbeats} tables.
 */
@Repository
public class QueueStatsRepository {

    /**
     * Jobs waiting and running are read from the kept counts of the open batches ({@code batch_job_counts}, V19) and
     * from the unfinished single jobs (their partial index, V19), never by counting a batch's jobs: the read costs
     * the same while 10 or 100,000 jobs wait. A batch's waiting jobs are as old as the batch. The other two counts
     * run on indexes: events by model (V6), heartbeats (a few rows). Public for the tests that read its plan.
     */
    public static final String PER_MODEL = """
            WITH open_batch_models AS (
                SELECT c.model, b.created_at, sum(c.queued) AS queued, sum(c.running) AS running
                  FROM batches b JOIN batch_job_counts c ON c.batch_id = b.id
                 WHERE b.status IN ('validating', 'in_progress', 'finalizing', 'cancelling')
                 GROUP BY c.model, c.batch_id, b.created_at
            ),
            unfinished AS (
                SELECT model, queued, running, CASE WHEN queued > 0 THEN created_at END AS oldest
                  FROM open_batch_models
                 UNION ALL
                SELECT model, count(*) FILTER (WHERE status = 'queued'), count(*) FILTER (WHERE status = 'running'),
                       min(created_at) FILTER (WHERE status = 'queued')
                  FROM jobs WHERE batch_id IS NULL AND status IN ('queued', 'running')
                 GROUP BY model
            ),
            per_model AS (
                SELECT model, sum(queued) AS waiting, sum(running) AS running, min(oldest) AS oldest
                  FROM unfinished GROUP BY model
            )
            SELECT m.model, coalesce(u.waiting, 0) AS waiting, u.oldest, coalesce(u.running, 0) AS running,
                   e.rate_limited, w.consumers
              FROM models m
              LEFT JOIN per_model u ON u.model = m.model
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
