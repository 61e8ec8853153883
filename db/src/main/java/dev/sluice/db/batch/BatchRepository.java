package dev.sluice.db.batch;

import dev.sluice.db.Timestamps;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code batches} table. Every transition is one conditional UPDATE on the current status, so
 * two workers racing to finalise the same batch cannot both win.
 */
@Repository
public class BatchRepository {

    private static final String INSERT = """
            INSERT INTO batches (id, tenant_id, status, endpoint, completion_window, input_file_id, metadata,
                                 webhook_url, webhook_events, priority, request_total, created_at, in_progress_at,
                                 expires_at)
            VALUES (:id, :tenantId, 'in_progress', :endpoint, :completionWindow, :inputFileId,
                    CAST(:metadata AS jsonb), :webhookUrl, CAST(:webhookEvents AS text[]), :priority, :requestTotal,
                    :now, :now, :expiresAt)
            """;

    private static final String SET_REQUEST_TOTAL = """
            UPDATE batches SET request_total = :requestTotal WHERE id = :id
            """;

    /** Sets or extends the batch's publishing lease (V16). */
    private static final String SET_PUBLISHING_UNTIL = """
            UPDATE batches SET publishing_until = :until WHERE id = :id
            """;

    private static final String END_PUBLISHING = """
            UPDATE batches SET publishing_until = NULL WHERE id = :id AND publishing_until IS NOT NULL
            """;

    private static final String FIND_FOR_TENANT = """
            SELECT * FROM batches WHERE id = :id AND tenant_id = :tenantId
            """;

    private static final String FIND = """
            SELECT * FROM batches WHERE id = :id
            """;

    /** Newest first; {@code after} is the last id of the previous page (OpenAI's cursor). */
    private static final String PAGE = """
            SELECT * FROM batches
             WHERE tenant_id = :tenantId
               AND (CAST(:afterId AS text) IS NULL
                    OR seq < (SELECT seq FROM batches WHERE id = :afterId AND tenant_id = :tenantId))
             ORDER BY seq DESC
             LIMIT :limit
            """;

    private static final String LIVE_COUNTS = """
            SELECT count(*) FILTER (WHERE status = 'queued')    AS queued,
                   count(*) FILTER (WHERE status = 'running')   AS running,
                   count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
                   count(*) FILTER (WHERE status = 'failed')    AS failed,
                   count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
                   count(*) FILTER (WHERE status = 'expired')   AS expired
              FROM jobs WHERE batch_id = :batchId
            """;

    private static final String LIVE_USAGE = """
            SELECT coalesce(sum(prompt_tokens), 0)     AS prompt_tokens,
                   coalesce(sum(completion_tokens), 0) AS completion_tokens,
                   coalesce(sum(total_tokens), 0)      AS total_tokens
              FROM jobs WHERE batch_id = :batchId
            """;

    /** Wins only when no job of the batch is left unfinished and nobody else started finalising. */
    private static final String START_FINALIZING = """
            UPDATE batches SET status = 'finalizing', finalizing_at = :now
             WHERE id = :id AND status = 'in_progress'
               AND NOT EXISTS (SELECT 1 FROM jobs WHERE batch_id = :id AND status IN ('queued', 'running'))
            """;

    private static final String MARK_COMPLETED = """
            UPDATE batches
               SET status = 'completed', completed_at = :now,
                   output_file_id = :outputFileId, error_file_id = :errorFileId,
                   request_completed = :completed, request_failed = :failed,
                   prompt_tokens = :promptTokens, completion_tokens = :completionTokens, total_tokens = :totalTokens
             WHERE id = :id AND status = 'finalizing'
            """;

    /**
     * The client's cancel: only an {@code in_progress} batch moves; call in the transaction that cancels its
     * queued jobs, so that no job of a {@code cancelling} batch is ever claimed afterwards.
     */
    private static final String START_CANCELLING = """
            UPDATE batches SET status = 'cancelling', cancelling_at = :now
             WHERE id = :id AND tenant_id = :tenantId AND status = 'in_progress'
            """;

    /** Wins only for a {@code cancelling} batch whose running jobs have all finished, and only once. */
    private static final String MARK_CANCELLED = """
            UPDATE batches
               SET status = 'cancelled', cancelled_at = :now,
                   output_file_id = :outputFileId, error_file_id = :errorFileId,
                   request_completed = :completed, request_failed = :failed,
                   prompt_tokens = :promptTokens, completion_tokens = :completionTokens, total_tokens = :totalTokens
             WHERE id = :id AND status = 'cancelling'
               AND NOT EXISTS (SELECT 1 FROM jobs WHERE batch_id = :id AND status IN ('queued', 'running'))
            """;

    /**
     * The end of a {@code finalizing} batch whose completion window closed before all its jobs ran; wins only
     * once, and never for a batch whose window is still open.
     */
    private static final String MARK_EXPIRED = """
            UPDATE batches
               SET status = 'expired', expired_at = :now,
                   output_file_id = :outputFileId, error_file_id = :errorFileId,
                   request_completed = :completed, request_failed = :failed,
                   prompt_tokens = :promptTokens, completion_tokens = :completionTokens, total_tokens = :totalTokens
             WHERE id = :id AND status = 'finalizing' AND expires_at <= :now
            """;

    /** Batches whose jobs are all finished but which nobody has finalised (a crashed finaliser, or a cancel). */
    private static final String FINALIZABLE = """
            SELECT b.id FROM batches b
             WHERE b.status IN ('in_progress', 'finalizing', 'cancelling')
               AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.batch_id = b.id AND j.status IN ('queued', 'running'))
             LIMIT :limit
            """;

    private final JdbcClient jdbc;

    public BatchRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Stores a batch that passed validation, directly {@code in_progress}. Call inside the transaction that inserts its jobs. */
    public void insert(NewBatch batch) {
        jdbc.sql(INSERT)
                .param("id", batch.id())
                .param("tenantId", batch.tenantId())
                .param("endpoint", batch.endpoint())
                .param("completionWindow", batch.completionWindow())
                .param("inputFileId", batch.inputFileId())
                .param("metadata", batch.metadataJson())
                .param("webhookUrl", batch.webhookUrl())
                .param("webhookEvents", batch.webhookEvents() == null ? null
                        : batch.webhookEvents().toArray(String[]::new))
                .param("priority", batch.priority())
                .param("requestTotal", batch.requestTotal())
                .param("now", Timestamps.bind(batch.createdAt()))
                .param("expiresAt", Timestamps.bind(batch.expiresAt()))
                .update();
    }

    /** Sets the number of jobs of a batch being stored, once all are; call in the transaction that inserts it. */
    public void setRequestTotal(String id, int requestTotal) {
        jdbc.sql(SET_REQUEST_TOTAL).param("id", id).param("requestTotal", requestTotal).update();
    }

    /**
     * Sets the batch's publishing lease, during which the unpublished-job sweeper leaves its jobs to the
     * background publisher until then; a dead publisher's lease simply runs out.
     */
    public void setPublishingUntil(String id, Instant until) {
        jdbc.sql(SET_PUBLISHING_UNTIL).param("id", id).param("until", Timestamps.bind(until)).update();
    }

    /** Ends the batch's publishing lease: the sweeper may publish whatever of it is still unpublished. */
    public void endPublishing(String id) {
        jdbc.sql(END_PUBLISHING).param("id", id).update();
    }

    /** The batch if it exists and belongs to the tenant; another tenant's batch is simply absent. */
    public Optional<BatchRow> find(String tenantId, String id) {
        return jdbc.sql(FIND_FOR_TENANT).param("id", id).param("tenantId", tenantId)
                .query(BatchRowMapper.INSTANCE).optional();
    }

    /** The batch regardless of tenant: for workers only, never for a client request. */
    public Optional<BatchRow> find(String id) {
        return jdbc.sql(FIND).param("id", id).query(BatchRowMapper.INSTANCE).optional();
    }

    /** Up to {@code limit} of the tenant's batches, newest first, after the one with id {@code afterId} (null: from the newest). */
    public List<BatchRow> page(String tenantId, String afterId, int limit) {
        return jdbc.sql(PAGE).param("tenantId", tenantId).param("afterId", afterId).param("limit", limit)
                .query(BatchRowMapper.INSTANCE).list();
    }

    /** Counts the batch's jobs by state, from the jobs themselves. */
    public JobCounts liveCounts(String batchId) {
        return jdbc.sql(LIVE_COUNTS).param("batchId", batchId)
                .query((rs, n) -> new JobCounts(rs.getInt("queued"), rs.getInt("running"), rs.getInt("succeeded"),
                        rs.getInt("failed"), rs.getInt("cancelled"), rs.getInt("expired")))
                .single();
    }

    /** Sums the usage of the batch's jobs so far. */
    public Usage liveUsage(String batchId) {
        return jdbc.sql(LIVE_USAGE).param("batchId", batchId)
                .query((rs, n) -> new Usage(rs.getLong("prompt_tokens"), rs.getLong("completion_tokens"),
                        rs.getLong("total_tokens")))
                .single();
    }

    /** Moves an {@code in_progress} batch whose jobs are all finished to {@code finalizing}; false if it is not the caller's to do. */
    public boolean tryStartFinalizing(String id, Instant now) {
        return jdbc.sql(START_FINALIZING).param("id", id).param("now", Timestamps.bind(now)).update() == 1;
    }

    /** Records the outcome of a {@code finalizing} batch and marks it {@code completed}; false if it was not finalizing. */
    public boolean markCompleted(String id, JobCounts counts, Usage usage, String outputFileId, String errorFileId,
            Instant now) {
        return settle(MARK_COMPLETED, id, counts, usage, outputFileId, errorFileId, now);
    }

    /**
     * Records the outcome of a {@code finalizing} batch whose completion window has closed and marks it
     * {@code expired}; false if it was not finalizing, its window is still open at {@code now}, or someone else did it.
     */
    public boolean markExpired(String id, JobCounts counts, Usage usage, String outputFileId, String errorFileId,
            Instant now) {
        return settle(MARK_EXPIRED, id, counts, usage, outputFileId, errorFileId, now);
    }

    /** Moves the tenant's {@code in_progress} batch to {@code cancelling}; false if it was in any other state (or absent). */
    public boolean tryStartCancelling(String tenantId, String id, Instant now) {
        return jdbc.sql(START_CANCELLING).param("id", id).param("tenantId", tenantId)
                .param("now", Timestamps.bind(now)).update() == 1;
    }

    /**
     * Records the outcome of a {@code cancelling} batch with no unfinished job left and marks it
     * {@code cancelled}; false if it was not cancelling, still had work running, or someone else did it.
     */
    public boolean markCancelled(String id, JobCounts counts, Usage usage, String outputFileId, String errorFileId,
            Instant now) {
        return settle(MARK_CANCELLED, id, counts, usage, outputFileId, errorFileId, now);
    }

    private boolean settle(String sql, String id, JobCounts counts, Usage usage, String outputFileId,
            String errorFileId, Instant now) {
        return jdbc.sql(sql)
                .param("id", id)
                .param("now", Timestamps.bind(now))
                .param("outputFileId", outputFileId)
                .param("errorFileId", errorFileId)
                .param("completed", counts.succeeded())
                .param("failed", counts.unsuccessful())
                .param("promptTokens", usage.promptTokens())
                .param("completionTokens", usage.completionTokens())
                .param("totalTokens", usage.totalTokens())
                .update() == 1;
    }

    /** Ids of batches that are ready to finalise, or whose finalisation was interrupted. */
    public List<String> finalizable(int limit) {
        return jdbc.sql(FINALIZABLE).param("limit", limit).query(String.class).list();
    }
}
