package dev.sluice.db.batch;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * What {@code GET /v1/batches/{id}} reads, in one statement: the batch's row, its counts and usage from the rows kept
 * in {@code batch_job_counts} (V19, never its jobs), and for its estimated completion the work that goes before or
 * with it per model: the open batches' kept counts plus the waiting single jobs (their own partial index,
 * {@code jobs_single_unfinished_ix}). So a poll is one round trip, and costs the same at 10 jobs as at 100,000.
 */
@Repository
public class BatchPollRepository {

    /**
     * One row per model of the batch (one row with a null model for a batch without jobs yet), each with the batch's
     * totals over its models. {@code ahead} is worked out only for an {@code in_progress} batch's models with
     * unfinished jobs; a batch's jobs share its priority and creation time, which order it among the other work of
     * its models.
     */
    static final String FIND = """
            WITH batch AS (
                SELECT * FROM batches WHERE id = :id AND tenant_id = :tenantId),
            mine AS (
                SELECT c.model,
                       sum(c.queued) AS queued, sum(c.running) AS running, sum(c.succeeded) AS succeeded,
                       sum(c.failed) AS failed, sum(c.cancelled) AS cancelled, sum(c.expired) AS expired,
                       sum(c.prompt_tokens) AS prompt_tokens, sum(c.completion_tokens) AS completion_tokens,
                       sum(c.total_tokens) AS total_tokens
                  FROM batch_job_counts c JOIN batch ON c.batch_id = batch.id
                 GROUP BY c.model)
            SELECT batch.*,
                   coalesce(sum(m.queued) OVER (), 0)            AS live_queued,
                   coalesce(sum(m.running) OVER (), 0)           AS live_running,
                   coalesce(sum(m.succeeded) OVER (), 0)         AS live_succeeded,
                   coalesce(sum(m.failed) OVER (), 0)            AS live_failed,
                   coalesce(sum(m.cancelled) OVER (), 0)         AS live_cancelled,
                   coalesce(sum(m.expired) OVER (), 0)           AS live_expired,
                   coalesce(sum(m.prompt_tokens) OVER (), 0)     AS live_prompt_tokens,
                   coalesce(sum(m.completion_tokens) OVER (), 0) AS live_completion_tokens,
                   coalesce(sum(m.total_tokens) OVER (), 0)      AS live_total_tokens,
                   m.model AS model,
                   CASE WHEN batch.status = 'in_progress' AND m.queued + m.running > 0 THEN
                       (SELECT coalesce(sum(c.queued + c.running), 0)
                          FROM batches other JOIN batch_job_counts c ON c.batch_id = other.id AND c.model = m.model
                         WHERE other.status IN ('in_progress', 'finalizing', 'cancelling')
                           AND (other.priority > batch.priority
                                OR (other.priority = batch.priority AND other.created_at <= batch.created_at)))
                     + (SELECT count(*) FROM jobs j
                         WHERE j.batch_id IS NULL AND j.model = m.model AND j.status IN ('queued', 'running')
                           AND (j.priority > batch.priority
                                OR (j.priority = batch.priority AND j.created_at <= batch.created_at)))
                   END AS ahead
              FROM batch LEFT JOIN mine m ON true
            """;

    private final JdbcClient jdbc;

    BatchPollRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The tenant's batch with its progress; another tenant's batch is simply absent. */
    public Optional<PolledBatch> find(String tenantId, String id) {
        return jdbc.sql(FIND).param("id", id).param("tenantId", tenantId).query(rs -> {
            if (!rs.next()) {
                return Optional.<PolledBatch>empty();
            }
            BatchRow batch = BatchRowMapper.INSTANCE.mapRow(rs, 1);
            BatchRepository.Progress progress = new BatchRepository.Progress(
                    new JobCounts(
                            rs.getInt("live_queued"),
                            rs.getInt("live_running"),
                            rs.getInt("live_succeeded"),
                            rs.getInt("live_failed"),
                            rs.getInt("live_cancelled"),
                            rs.getInt("live_expired")),
                    new Usage(
                            rs.getLong("live_prompt_tokens"),
                            rs.getLong("live_completion_tokens"),
                            rs.getLong("live_total_tokens")));
            Map<String, Long> ahead = new HashMap<>();
            do {
                long jobs = rs.getLong("ahead");
                if (!rs.wasNull()) {
                    ahead.put(rs.getString("model"), jobs);
                }
            } while (rs.next());
            return Optional.of(new PolledBatch(batch, progress, ahead));
        });
    }
}
