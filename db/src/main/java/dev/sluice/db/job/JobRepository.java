package dev.sluice.db.job;

import dev.sluice.common.JobMessage;
import dev.sluice.db.Timestamps;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code jobs} table: bulk insert, the claim, and every later transition. Each transition is
 * one UPDATE conditional on the current status (and, once claimed, on the lease owner), so a
 * duplicate delivery, a second worker or a stale rescuer changes nothing: zero rows updated means
 * someone else already moved the job, which is normal.
 */
@Repository
public class JobRepository {

    private static final String COPY_IN = "COPY jobs " + JobCopyWriter.COLUMNS + " FROM STDIN";

    private static final String FIND_FOR_TENANT = """
            SELECT * FROM jobs WHERE id = :id AND tenant_id = :tenantId
            """;

    private static final String PAGE_BY_BATCH = """
            SELECT * FROM jobs
             WHERE batch_id = :batchId
               AND (CAST(:status AS text) IS NULL OR status = :status)
               AND line_no > coalesce((SELECT line_no FROM jobs WHERE id = :afterId AND batch_id = :batchId), 0)
             ORDER BY line_no
             LIMIT :limit
            """;

    /** The claim: only a queued job whose backoff has passed; the lease says who holds it until when. */
    private static final String CLAIM_QUEUED = """
            UPDATE jobs
               SET status = 'running', attempts = attempts + 1, lease_owner = :owner, lease_expires_at = :leaseUntil,
                   started_at = coalesce(started_at, :now)
             WHERE id = :id AND status = 'queued' AND (not_before IS NULL OR not_before <= :now)
            RETURNING id, tenant_id, batch_id, url, model, body, priority, attempts
            """;

    /** When a queued job may next be claimed: after its backoff, or at once when it has none. */
    private static final String QUEUED_DUE_AT = """
            SELECT coalesce(not_before, created_at) AS due_at FROM jobs WHERE id = :id AND status = 'queued'
            """;

    /** Which of these jobs are finished: the facade's re-check for callers whose notification was lost. */
    private static final String FINISHED_AMONG = """
            SELECT id FROM jobs
             WHERE id = ANY(CAST(:ids AS text[])) AND status IN ('succeeded', 'failed', 'cancelled', 'expired')
            """;

    private static final String MARK_FINISHED = """
            UPDATE jobs
               SET status = :status, completed_at = :now, lease_owner = NULL, lease_expires_at = NULL,
                   response_status = :responseStatus, response_body = :responseBody,
                   error_code = :errorCode, error_message = :errorMessage,
                   prompt_tokens = :promptTokens, completion_tokens = :completionTokens, total_tokens = :totalTokens,
                   latency_ms = :latencyMs, cached = :cached
             WHERE id = :id AND status = 'running' AND lease_owner = :owner
            """;

    /** Back to the queue, e.g. after a 429; {@code refund} gives the attempt back. */
    private static final String REQUEUE = """
            UPDATE jobs
               SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, published_at = NULL,
                   not_before = :notBefore, attempts = attempts - :refund
             WHERE id = :id AND status = 'running' AND lease_owner = :owner
            """;

    /**
     * Queued jobs the broker never confirmed, whose retry backoff (if any) has passed: publishing earlier would only
     * bounce off the claim. Jobs of a batch under a live publishing lease (V16) are its creator's to publish.
     */
    private static final String UNPUBLISHED_DUE = """
            SELECT id, model, priority FROM jobs
             WHERE status = 'queued' AND published_at IS NULL AND created_at < :createdBefore
               AND (not_before IS NULL OR not_before <= :now)
               AND NOT EXISTS (SELECT 1 FROM batches b
                                WHERE b.id = jobs.batch_id AND b.publishing_until > :now)
             ORDER BY created_at
             LIMIT :limit
            """;

    /**
     * A join against the id array rather than {@code id IN (...)}: with a long list and a freshly
     * COPYed batch (no statistics yet), PostgreSQL scans the partial unpublished index and tests
     * every row against the whole list, which made marking a 100,000-job batch take minutes.
     */
    private static final String MARK_PUBLISHED = """
            UPDATE jobs j SET published_at = :now
              FROM unnest(CAST(:ids AS text[])) AS confirmed(id)
             WHERE j.id = confirmed.id AND j.status = 'queued' AND j.published_at IS NULL
            """;

    /** A client's cancel of one job: only while it is queued; a running job finishes. */
    private static final String CANCEL_QUEUED = """
            UPDATE jobs
               SET status = 'cancelled', completed_at = :now, error_code = :errorCode, error_message = :errorMessage
             WHERE id = :id AND tenant_id = :tenantId AND status = 'queued'
            """;

    /** A batch's cancel: every job still queued; running ones are left to finish. */
    private static final String CANCEL_QUEUED_OF_BATCH = """
            UPDATE jobs
               SET status = 'cancelled', completed_at = :now, error_code = :errorCode, error_message = :errorMessage
             WHERE batch_id = :batchId AND status = 'queued'
            """;

    /**
     * Queued jobs of batches being cancelled: a job that was running when its batch was cancelled and then
     * went back to the queue (a retry, a 429, a rescued lease) must not run again.
     */
    private static final String CANCEL_QUEUED_OF_CANCELLING_BATCHES = """
            UPDATE jobs
               SET status = 'cancelled', completed_at = :now, not_before = NULL,
                   error_code = 'batch_cancelled', error_message = 'its batch was cancelled before this request ran'
             WHERE status = 'queued'
               AND batch_id IN (SELECT id FROM batches WHERE status = 'cancelling')
               AND (CAST(:id AS text) IS NULL OR id = :id)
            """;

    /**
     * Queued jobs of {@code in_progress} batches whose completion window has closed: never started, or back in
     * the queue after the window closed (a retry, a 429, a rescued lease). Jobs already running finish; a
     * {@code cancelling} batch is left to the cancel. One statement, so a batch's jobs expire together.
     */
    private static final String EXPIRE_QUEUED_OF_EXPIRED_BATCHES = """
            UPDATE jobs j
               SET status = 'expired', completed_at = :now, not_before = NULL,
                   error_code = 'batch_expired',
                   error_message = format('batch %s expired (completion window %s) before this request ran',
                                          b.id, b.completion_window)
              FROM batches b
             WHERE j.batch_id = b.id AND j.status = 'queued'
               AND b.status = 'in_progress' AND b.expires_at <= :now
               AND (CAST(:id AS text) IS NULL OR j.id = :id)
            """;

    /**
     * Forgets the publication of queued jobs of one model that were published long ago and are due, so the
     * unpublished sweeper publishes them again: called only when the model's queue is empty, which means
     * the broker lost their messages (a queue deleted or purged, a broker that lost its disk).
     */
    private static final String FORGET_LOST_MESSAGES = """
            UPDATE jobs SET published_at = NULL
             WHERE id IN (SELECT id FROM jobs
                           WHERE status = 'queued' AND model = :model AND published_at < :publishedBefore
                             AND (not_before IS NULL OR not_before <= :now)
                           ORDER BY published_at
                           LIMIT :limit)
            """;

    /** A running job whose worker stopped renewing its lease goes back to the queue. */
    private static final String RESCUE_EXPIRED_LEASES = """
            UPDATE jobs
               SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, published_at = NULL
             WHERE id IN (SELECT id FROM jobs WHERE status = 'running' AND lease_expires_at < :now
                           ORDER BY lease_expires_at LIMIT :limit FOR UPDATE SKIP LOCKED)
            """;

    /** {@code error_code} of a job cancelled on its own ({@code POST /v1/jobs/{id}/cancel}). */
    public static final String CANCELLED = "cancelled";
    /** {@code error_code} of a job cancelled with its batch, as in OpenAI's error file. */
    public static final String BATCH_CANCELLED = "batch_cancelled";
    /** {@code error_code} of a job whose batch's completion window closed before it ran, as in OpenAI's error file. */
    public static final String BATCH_EXPIRED = "batch_expired";

    private final JdbcClient jdbc;
    private final DataSource dataSource;

    public JobRepository(JdbcClient jdbc, DataSource dataSource) {
        this.jdbc = jdbc;
        this.dataSource = dataSource;
    }

    /**
     * Inserts jobs with COPY, streaming rather than building one statement; call inside the
     * transaction that inserts their batch, so that a failure leaves no row behind.
     */
    public void insertAll(Collection<NewJob> jobs, Instant now) {
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try {
            PGConnection pg = connection.unwrap(PGConnection.class);
            try (var out = new BufferedWriter(new OutputStreamWriter(
                    new PGCopyOutputStream(pg, COPY_IN, 1 << 16), StandardCharsets.UTF_8), 1 << 16)) {
                JobCopyWriter writer = new JobCopyWriter(out, now);
                for (NewJob job : jobs) {
                    writer.write(job);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("COPY into jobs failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("COPY into jobs failed", e);
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
    }

    /** The ids among {@code ids} whose job is in a terminal status. */
    public List<String> finishedAmong(Collection<String> ids) {
        return jdbc.sql(FINISHED_AMONG).param("ids", ids.toArray(String[]::new)).query(String.class).list();
    }

    /** The job if it exists and belongs to the tenant. */
    public Optional<JobRow> find(String tenantId, String id) {
        return jdbc.sql(FIND_FOR_TENANT).param("id", id).param("tenantId", tenantId)
                .query(JobRowMapper.INSTANCE).optional();
    }

    /** Up to {@code limit} jobs of a batch in line order after the job {@code afterId} (null: from the first), optionally of one status. */
    public List<JobRow> pageByBatch(String batchId, String status, String afterId, int limit) {
        return jdbc.sql(PAGE_BY_BATCH).param("batchId", batchId).param("status", status)
                .param("afterId", afterId).param("limit", limit)
                .query(JobRowMapper.INSTANCE).list();
    }

    /** Claims a queued job for {@code owner} until {@code leaseUntil}; empty when it is not claimable (done, running elsewhere, or backing off). */
    public Optional<ClaimedJob> claim(String id, String owner, Instant leaseUntil, Instant now) {
        return jdbc.sql(CLAIM_QUEUED)
                .param("id", id).param("owner", owner)
                .param("leaseUntil", Timestamps.bind(leaseUntil)).param("now", Timestamps.bind(now))
                .query((rs, n) -> new ClaimedJob(rs.getString("id"), rs.getString("tenant_id"),
                        rs.getString("batch_id"), rs.getString("url"), rs.getString("model"), rs.getString("body"),
                        rs.getInt("priority"), rs.getInt("attempts")))
                .optional();
    }

    /**
     * When the job may next be claimed, if it is queued; empty when it is running, finished or unknown. Tells a
     * worker whose claim came back empty whether its message is a duplicate (drop it) or early (hold it).
     */
    public Optional<Instant> dueAt(String id) {
        return jdbc.sql(QUEUED_DUE_AT).param("id", id)
                .query((rs, n) -> Timestamps.read(rs, "due_at"))
                .optional();
    }

    /** Stores a success; false if the job is no longer this owner's to finish. */
    public boolean markSucceeded(String id, String owner, Outcome outcome, Instant now) {
        return finish(id, owner, "succeeded", outcome, now);
    }

    /** Stores a final failure; false if the job is no longer this owner's to finish. */
    public boolean markFailed(String id, String owner, Outcome outcome, Instant now) {
        return finish(id, owner, "failed", outcome, now);
    }

    private boolean finish(String id, String owner, String status, Outcome outcome, Instant now) {
        return jdbc.sql(MARK_FINISHED)
                .param("id", id).param("owner", owner).param("status", status).param("now", Timestamps.bind(now))
                .param("responseStatus", outcome.responseStatus())
                .param("responseBody", outcome.responseBody())
                .param("errorCode", outcome.errorCode())
                .param("errorMessage", outcome.errorMessage())
                .param("promptTokens", outcome.promptTokens())
                .param("completionTokens", outcome.completionTokens())
                .param("totalTokens", outcome.totalTokens())
                .param("latencyMs", outcome.latencyMs())
                .param("cached", outcome.cached())
                .update() == 1;
    }

    /** Puts a running job back in the queue, not to run before {@code notBefore}; {@code refundAttempt} for a 429. */
    public boolean requeue(String id, String owner, Instant notBefore, boolean refundAttempt) {
        return jdbc.sql(REQUEUE).param("id", id).param("owner", owner)
                .param("notBefore", Timestamps.bind(notBefore)).param("refund", refundAttempt ? 1 : 0)
                .update() == 1;
    }

    /**
     * Queued jobs created before {@code createdBefore} whose message the broker never confirmed and
     * whose backoff ({@code not_before}) has passed by {@code now}, and whose batch (if any) has no
     * publishing lease beyond {@code now}: what the api-service's sweeper publishes.
     */
    public List<JobMessage> unpublishedDue(Instant createdBefore, Instant now, int limit) {
        return jdbc.sql(UNPUBLISHED_DUE).param("createdBefore", Timestamps.bind(createdBefore))
                .param("now", Timestamps.bind(now)).param("limit", limit)
                .query((rs, n) -> new JobMessage(rs.getString("id"), rs.getString("model"), rs.getInt("priority")))
                .list();
    }

    /** Records that the broker confirmed these jobs' messages. */
    public int markPublished(Collection<String> ids, Instant now) {
        if (ids.isEmpty()) {
            return 0;
        }
        return jdbc.sql(MARK_PUBLISHED).param("ids", ids.toArray(String[]::new)).param("now", Timestamps.bind(now))
                .update();
    }

    /**
     * Cancels the tenant's job if it is still queued, with {@code error_code} {@code cancelled}; false if it
     * was in any other state (or absent). Its message, if any, is then dropped by the claim.
     */
    public boolean cancelQueued(String tenantId, String id, String errorMessage, Instant now) {
        return jdbc.sql(CANCEL_QUEUED).param("id", id).param("tenantId", tenantId)
                .param("errorCode", CANCELLED).param("errorMessage", errorMessage)
                .param("now", Timestamps.bind(now)).update() == 1;
    }

    /**
     * Cancels every queued job of the batch with {@code error_code} {@code batch_cancelled}; returns how many.
     * Call in the transaction that moves the batch to {@code cancelling}.
     */
    public int cancelQueuedOfBatch(String batchId, String errorMessage, Instant now) {
        return jdbc.sql(CANCEL_QUEUED_OF_BATCH).param("batchId", batchId)
                .param("errorCode", BATCH_CANCELLED).param("errorMessage", errorMessage)
                .param("now", Timestamps.bind(now)).update();
    }

    /**
     * Cancels queued jobs whose batch is being cancelled — all of them, or only job {@code id} when it is
     * not null; returns how many.
     */
    public int cancelQueuedOfCancellingBatches(String id, Instant now) {
        return jdbc.sql(CANCEL_QUEUED_OF_CANCELLING_BATCHES).param("id", id).param("now", Timestamps.bind(now)).update();
    }

    /**
     * Expires, with {@code error_code} {@code batch_expired}, queued jobs of {@code in_progress} batches whose
     * {@code expires_at} is not after {@code now} — all of them, or only job {@code id} when it is not null;
     * returns how many. An expired job's message is then dropped by the claim, which takes only queued jobs;
     * a job still queued past its batch's window but not yet expired by this call may still be claimed and run.
     */
    public int expireQueuedOfExpiredBatches(String id, Instant now) {
        return jdbc.sql(EXPIRE_QUEUED_OF_EXPIRED_BATCHES).param("id", id).param("now", Timestamps.bind(now)).update();
    }

    /**
     * Marks up to {@code limit} queued, due jobs of {@code model} published before {@code publishedBefore} as
     * unpublished again (their messages are gone); returns how many.
     */
    public int forgetLostMessages(String model, Instant publishedBefore, Instant now, int limit) {
        return jdbc.sql(FORGET_LOST_MESSAGES).param("model", model)
                .param("publishedBefore", Timestamps.bind(publishedBefore)).param("now", Timestamps.bind(now))
                .param("limit", limit).update();
    }

    /** Re-queues up to {@code limit} running jobs whose lease ended before {@code now}; returns how many. */
    public int rescueExpiredLeases(Instant now, int limit) {
        return jdbc.sql(RESCUE_EXPIRED_LEASES).param("now", Timestamps.bind(now)).param("limit", limit).update();
    }
}
