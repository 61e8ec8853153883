package dev.sluice.db.batch;

import dev.sluice.db.Pipelined;
import dev.sluice.db.Timestamps;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code batches} table: insert, reads and bookkeeping. Every change of a batch's status is in
 * {@link BatchTransitions}.
 *
 * <p>A running batch's counts and usage are read from {@code batch_job_counts} (V19), never counted from its jobs,
 * so a poll costs the same at 10 jobs as at 100,000. A statement-level trigger on {@code jobs} keeps them in the
 * transaction that changes the jobs, so they equal a recount at every commit whichever statement moved a job
 * (chosen over updates in each {@code JobTransitions} method, which a new statement could forget). It adds each
 * statement's net change per (batch, model) to shard {@code transaction id mod 16}, so two workers finishing jobs
 * of one batch at once write different rows rather than queue on one; a read sums the shards. See
 * docs/architecture.md, "How a batch's counts are kept".
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

    /** With the start of the batch's publication (V36): no line is confirmed yet. */
    private static final String SET_REQUEST_TOTAL = """
            WITH publication AS (
                INSERT INTO batch_publications (batch_id, unconfirmed_from) SELECT :id, 1 WHERE :requestTotal > 0)
            UPDATE batches SET request_total = :requestTotal, publishing_until = :until WHERE id = :id
            """;

    /** The broker confirmed every line before {@code :nextLine} (V36); a late confirm moves nothing back. */
    private static final String CONFIRM_LINES_BEFORE = """
            UPDATE batch_publications SET unconfirmed_from = :nextLine
             WHERE batch_id = :batchId AND unconfirmed_from < :nextLine
            """;

    /** The broker confirmed every line of the batch: its publication is over. */
    private static final String CONFIRM_ALL_LINES = """
            DELETE FROM batch_publications WHERE batch_id = :batchId
            """;

    /** Publications in progress whose batch's publishing lease has run out or was ended: the sweeper's to finish. */
    private static final String PUBLICATIONS_WITHOUT_PUBLISHER = """
            SELECT p.batch_id, p.unconfirmed_from FROM batch_publications p JOIN batches b ON b.id = p.batch_id
             WHERE b.publishing_until IS NULL OR b.publishing_until <= :now
             ORDER BY p.batch_id
             LIMIT :limit
            """;

    /** The publishing lease, taken only if nobody holds it: one sweeper at a time finishes a batch's publication. */
    private static final String TAKE_PUBLISHING = """
            UPDATE batches SET publishing_until = :until
             WHERE id = :id AND (publishing_until IS NULL OR publishing_until <= :now)
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

    /**
     * The batch's counts and token usage, read from its rows in {@code batch_job_counts} (V19: at most one per model and shard,
     * kept by a trigger on {@code jobs}), never from its jobs: the same cost at 10 jobs as at 100,000.
     */
    static final String LIVE_COUNTS = """
            SELECT coalesce(sum(queued), 0)    AS queued,
                   coalesce(sum(running), 0)   AS running,
                   coalesce(sum(succeeded), 0) AS succeeded,
                   coalesce(sum(failed), 0)    AS failed,
                   coalesce(sum(cancelled), 0) AS cancelled,
                   coalesce(sum(expired), 0)   AS expired,
                   coalesce(sum(prompt_tokens), 0)     AS prompt_tokens,
                   coalesce(sum(completion_tokens), 0) AS completion_tokens,
                   coalesce(sum(total_tokens), 0)      AS total_tokens
              FROM batch_job_counts WHERE batch_id = :batchId
            """;

    /** The batch's token usage so far, from the same rows as {@link #LIVE_COUNTS}. */
    private static final String LIVE_USAGE = """
            SELECT coalesce(sum(prompt_tokens), 0)     AS prompt_tokens,
                   coalesce(sum(completion_tokens), 0) AS completion_tokens,
                   coalesce(sum(total_tokens), 0)      AS total_tokens
              FROM batch_job_counts WHERE batch_id = :batchId
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

    /**
     * Stores a batch that passed validation, directly {@code in_progress} (it never shows {@code validating}). Call
     * inside the transaction that inserts its jobs.
     */
    public void insert(NewBatch batch) {
        jdbc.sql(INSERT)
                .param("id", batch.id())
                .param("tenantId", batch.tenantId())
                .param("endpoint", batch.endpoint())
                .param("completionWindow", batch.completionWindow())
                .param("inputFileId", batch.inputFileId())
                .param("metadata", batch.metadataJson())
                .param("webhookUrl", batch.webhookUrl())
                .param(
                        "webhookEvents",
                        batch.webhookEvents() == null
                                ? null
                                : batch.webhookEvents().toArray(String[]::new))
                .param("priority", batch.priority())
                .param("requestTotal", batch.requestTotal())
                .param("now", Timestamps.bind(batch.createdAt()))
                .param("expiresAt", Timestamps.bind(batch.expiresAt()))
                .update();
    }

    /**
     * Sets the number of jobs of a batch being stored, once all are, and its publishing lease ({@link
     * #setPublishingUntil}), and starts its publication ({@code batch_publications}, V36: no line confirmed yet); call
     * in the transaction that inserts it.
     */
    public void setRequestTotal(String id, int requestTotal, Instant publishingUntil) {
        jdbc.sql(SET_REQUEST_TOTAL)
                .param("id", id)
                .param("requestTotal", requestTotal)
                .param("until", Timestamps.bind(publishingUntil))
                .update();
    }

    /**
     * Sets the batch's publishing lease, during which the unpublished-job sweeper leaves its jobs to the
     * background publisher until then; a dead publisher's lease simply runs out.
     */
    public void setPublishingUntil(String id, Instant until) {
        jdbc.sql(SET_PUBLISHING_UNTIL)
                .param("id", id)
                .param("until", Timestamps.bind(until))
                .update();
    }

    /** Ends the batch's publishing lease: the sweeper may publish whatever of it is still unpublished. */
    public void endPublishing(String id) {
        jdbc.sql(END_PUBLISHING).param("id", id).update();
    }

    /**
     * The record that the broker confirmed the messages of the batch's lines before {@code nextLine}, to be sent with
     * the entry of their lanes: with {@code allLines} the batch's publication is over and its row goes.
     */
    public static Pipelined.Statement confirmingLines(String batchId, int nextLine, boolean allLines) {
        return allLines
                ? new Pipelined.Statement(CONFIRM_ALL_LINES, Map.of("batchId", batchId))
                : new Pipelined.Statement(CONFIRM_LINES_BEFORE, Map.of("batchId", batchId, "nextLine", nextLine));
    }

    /**
     * Ends the batch's publication without a confirm: none of its lines from the first unconfirmed one on is queued
     * any more, so none needs a message.
     */
    public void endPublication(String batchId) {
        jdbc.sql(CONFIRM_ALL_LINES).param("batchId", batchId).update();
    }

    /** A batch's publication in progress: its lines from {@code unconfirmedFrom} on have no confirmed message yet. */
    public record Publication(String batchId, int unconfirmedFrom) {}

    /**
     * Up to {@code limit} publications in progress whose batch's publishing lease has run out or was ended at
     * {@code now}: their publisher died or gave up, and the sweeper finishes them.
     */
    public List<Publication> publicationsWithoutPublisher(Instant now, int limit) {
        return jdbc.sql(PUBLICATIONS_WITHOUT_PUBLISHER)
                .param("now", Timestamps.bind(now))
                .param("limit", limit)
                .query((rs, n) -> new Publication(rs.getString("batch_id"), rs.getInt("unconfirmed_from")))
                .list();
    }

    /**
     * Takes the batch's publishing lease until {@code until}, unless someone holds it at {@code now}; false when they
     * do (a publisher, or another replica's sweeper).
     */
    public boolean takePublishing(String id, Instant now, Instant until) {
        return jdbc.sql(TAKE_PUBLISHING)
                        .param("id", id)
                        .param("now", Timestamps.bind(now))
                        .param("until", Timestamps.bind(until))
                        .update()
                == 1;
    }

    /** The batch if it exists and belongs to the tenant; another tenant's batch is simply absent. */
    public Optional<BatchRow> find(String tenantId, String id) {
        return jdbc.sql(FIND_FOR_TENANT)
                .param("id", id)
                .param("tenantId", tenantId)
                .query(BatchRowMapper.INSTANCE)
                .optional();
    }

    /** The batch regardless of tenant: for workers only, never for a client request. */
    public Optional<BatchRow> find(String id) {
        return jdbc.sql(FIND).param("id", id).query(BatchRowMapper.INSTANCE).optional();
    }

    /** Up to {@code limit} of the tenant's batches, newest first, after the one with id {@code afterId} (null: from the newest). */
    public List<BatchRow> page(String tenantId, String afterId, int limit) {
        return jdbc.sql(PAGE)
                .param("tenantId", tenantId)
                .param("afterId", afterId)
                .param("limit", limit)
                .query(BatchRowMapper.INSTANCE)
                .list();
    }

    /**
     * The batch's jobs by state, as of the last commit: read from the counts a trigger keeps with every change of
     * a job (docs/architecture.md, "How a batch's counts are kept"), so always equal to a count of the jobs.
     */
    public JobCounts liveCounts(String batchId) {
        return liveProgress(batchId).counts();
    }

    /**
     * A running batch's counts and token usage so far, both from one read of the rows kept with its jobs: what a
     * poll of the batch shows.
     *
     * @param counts its jobs by status
     * @param usage  their tokens
     */
    public record Progress(JobCounts counts, Usage usage) {}

    /** The batch's counts and usage so far in one statement ({@link #liveCounts} and {@link #liveUsage} together). */
    public Progress liveProgress(String batchId) {
        return jdbc.sql(LIVE_COUNTS)
                .param("batchId", batchId)
                .query((rs, n) -> new Progress(
                        new JobCounts(
                                rs.getInt("queued"),
                                rs.getInt("running"),
                                rs.getInt("succeeded"),
                                rs.getInt("failed"),
                                rs.getInt("cancelled"),
                                rs.getInt("expired")),
                        new Usage(
                                rs.getLong("prompt_tokens"),
                                rs.getLong("completion_tokens"),
                                rs.getLong("total_tokens"))))
                .single();
    }

    /** The usage of the batch's jobs so far, kept with its counts. */
    public Usage liveUsage(String batchId) {
        return jdbc.sql(LIVE_USAGE)
                .param("batchId", batchId)
                .query((rs, n) -> new Usage(
                        rs.getLong("prompt_tokens"), rs.getLong("completion_tokens"), rs.getLong("total_tokens")))
                .single();
    }

    /** Ids of batches that are ready to finalise, or whose finalisation was interrupted. */
    public List<String> finalizable(int limit) {
        return jdbc.sql(FINALIZABLE).param("limit", limit).query(String.class).list();
    }
}
