package dev.sluice.db.operations;

import dev.sluice.db.Timestamps;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Read-only counts behind {@code GET /admin/queues}, the batch ETA and the workers' queue gauges: one
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

    /**
     * Unfinished jobs of each model the batch still has work in that run before or with the batch's own:
     * higher priority, or the same priority and submitted no later (the queues are priority queues,
     * first in first out within a priority). A batch's jobs share its priority and creation time, so batch
     * jobs are read from the counts of the open batches ({@code batch_job_counts}, V19) and only single jobs
     * are counted, on their own index: the cost follows the open batches and waiting single jobs, not the
     * number of batch jobs.
     */
    private static final String AHEAD_OF_BATCH = """
            WITH mine AS (
                SELECT model FROM batch_job_counts WHERE batch_id = :batchId
                 GROUP BY model HAVING sum(queued + running) > 0)
            SELECT m.model,
                   (SELECT coalesce(sum(c.queued + c.running), 0)
                      FROM batches b JOIN batch_job_counts c ON c.batch_id = b.id AND c.model = m.model
                     WHERE b.status IN ('in_progress', 'finalizing', 'cancelling')
                       AND (b.priority > :priority OR (b.priority = :priority AND b.created_at <= :createdAt)))
                 + (SELECT count(*) FROM jobs j
                     WHERE j.batch_id IS NULL AND j.model = m.model AND j.status IN ('queued', 'running')
                       AND (j.priority > :priority OR (j.priority = :priority AND j.created_at <= :createdAt)))
                   AS ahead
              FROM mine m
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

    /**
     * For each model the batch still has unfinished jobs of, how many unfinished jobs of that model (its
     * own included) go before or with the batch's. Empty when the batch has nothing left to run.
     */
    public Map<String, Long> aheadOfBatch(String batchId, int priority, Instant createdAt) {
        return jdbc
                .sql(AHEAD_OF_BATCH)
                .param("batchId", batchId)
                .param("priority", priority)
                .param("createdAt", Timestamps.bind(createdAt))
                .query((rs, n) -> Map.entry(rs.getString("model"), rs.getLong("ahead")))
                .list()
                .stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }
}
