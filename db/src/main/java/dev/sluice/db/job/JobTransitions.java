package dev.sluice.db.job;

import dev.sluice.db.Pipelined;
import dev.sluice.db.Timestamps;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Every statement that changes a job's {@code status}, and no other: each is named {@code FROM_TO_TO} (with a
 * suffix when two paths make the same move) and is one UPDATE conditional on the current status — and, once
 * claimed, on the claim's token in {@code lease_owner} — so a duplicate delivery, a second worker or a stale
 * rescuer changes nothing: zero rows updated means someone else already moved the job, which is normal.
 * {@code JobStatus.canMoveTo} lists exactly the moves made here ({@code JobTransitionsContractIT} checks both ways).
 *
 * <p>A batch's counts follow every statement here without any code in it: a trigger on {@code jobs} adds each
 * statement's net change to {@code batch_job_counts} in the same transaction (V19, {@code BatchRepository#liveCounts}),
 * so a new statement is counted too.
 *
 * <p>Leases, backoff ({@code not_before}) and expiry are set and compared on the database's clock
 * ({@code now()}), never a worker's, so a worker whose clock is off cannot take a job whose lease is still live
 * nor run one before its backoff has passed.
 */
@Repository
public class JobTransitions {

    /**
     * The claim: a queued job whose backoff has passed; the claim's token holds it until the lease lapses. A claimed
     * job was delivered, so its message was published: one the api had not marked yet (a worker rung by a lane
     * entered ahead, or busy on the lane, can take a message before its publisher's marking) is marked now, so that a
     * job put back to the queue keeps its message and is not published again by the sweeper.
     */
    private static final String QUEUED_TO_RUNNING = """
            UPDATE jobs
               SET status = 'running', attempts = attempts + 1, lease_owner = :token,
                   lease_expires_at = now() + :leaseMillis * interval '1 millisecond',
                   started_at = coalesce(started_at, now()), published_at = coalesce(published_at, now())
             WHERE id = :id AND status = 'queued' AND (not_before IS NULL OR not_before <= now())
            RETURNING id, tenant_id, batch_id, url, model, body, priority, attempts
            """;

    /**
     * Many claims in one statement, each as {@link #QUEUED_TO_RUNNING} makes it and under its own token ({@code :ids}
     * and {@code :tokens} pair up; the ids are distinct). The rows are locked in id order and a row another transaction
     * holds is skipped, not waited for, so two such statements never deadlock with each other or with a batch's
     * cancel; the caller claims the skipped ones one by one. It may run late in a longer transaction (a dispatcher's
     * take, which granted the jobs first), so {@code started_at} is the statement's own time, not the transaction's.
     */
    private static final String QUEUED_TO_RUNNING_MANY = """
            WITH claimable AS (
                SELECT id FROM jobs
                 WHERE id = ANY(:ids) AND status = 'queued' AND (not_before IS NULL OR not_before <= now())
                 ORDER BY id
                   FOR UPDATE SKIP LOCKED)
            UPDATE jobs j
               SET status = 'running', attempts = j.attempts + 1, lease_owner = c.token,
                   lease_expires_at = now() + :leaseMillis * interval '1 millisecond',
                   started_at = coalesce(j.started_at, clock_timestamp()),
                   published_at = coalesce(j.published_at, clock_timestamp())
              FROM claimable k
              JOIN unnest(CAST(:ids AS text[]), CAST(:tokens AS text[])) AS c (id, token) ON c.id = k.id
             WHERE j.id = k.id
            RETURNING j.id, j.tenant_id, j.batch_id, j.url, j.model, j.body, j.priority, j.attempts
            """;

    /** How long until a queued job may be claimed, in milliseconds (0 when due): the claim's condition, read. */
    private static final String QUEUED_DUE_IN = """
            SELECT CAST(ceil(extract(epoch FROM greatest(coalesce(not_before, now()) - now(), interval '0')) * 1000)
                        AS bigint) AS due_in_ms
              FROM jobs WHERE id = :id AND status = 'queued'
            """;

    /** The end of a claim: {@code %s} is {@code succeeded} or {@code failed}, the two constants below. */
    private static final String RUNNING_TO_FINISHED = """
            UPDATE jobs
               SET status = '%s', completed_at = :now, lease_owner = NULL, lease_expires_at = NULL,
                   response_status = :responseStatus, response_body = :responseBody,
                   error_code = :errorCode, error_message = :errorMessage,
                   prompt_tokens = :promptTokens, completion_tokens = :completionTokens, total_tokens = :totalTokens,
                   latency_ms = :latencyMs, cached = :cached
             WHERE id = :id AND status = 'running' AND lease_owner = :token
            """;

    /**
     * Many ends of claims in one statement, each as {@link #RUNNING_TO_FINISHED} makes it, with its own values: the
     * arrays pair up by position, the ids are distinct. {@code %s} is {@code succeeded} or {@code failed}. Locked in
     * id order, a row another transaction holds skipped (the caller finishes it on its own), as for
     * {@link #QUEUED_TO_RUNNING_MANY}. Returns the ids it finished.
     */
    private static final String RUNNING_TO_FINISHED_MANY = """
            WITH held AS (
                SELECT j.id FROM jobs j
                  JOIN unnest(CAST(:ids AS text[]), CAST(:tokens AS text[])) AS c (id, token)
                    ON j.id = c.id AND j.lease_owner = c.token
                 WHERE j.status = 'running'
                 ORDER BY j.id
                   FOR UPDATE OF j SKIP LOCKED)
            UPDATE jobs j
               SET status = '%s', completed_at = o.completed_at, lease_owner = NULL, lease_expires_at = NULL,
                   response_status = o.response_status, response_body = o.response_body,
                   error_code = o.error_code, error_message = o.error_message,
                   prompt_tokens = o.prompt_tokens, completion_tokens = o.completion_tokens,
                   total_tokens = o.total_tokens, latency_ms = o.latency_ms, cached = o.cached
              FROM held h
              JOIN unnest(CAST(:ids AS text[]), CAST(:completedAt AS timestamptz[]),
                          CAST(:responseStatus AS integer[]), CAST(:responseBody AS text[]),
                          CAST(:errorCode AS text[]), CAST(:errorMessage AS text[]),
                          CAST(:promptTokens AS integer[]), CAST(:completionTokens AS integer[]),
                          CAST(:totalTokens AS integer[]), CAST(:latencyMs AS integer[]), CAST(:cached AS boolean[]))
                   AS o (id, completed_at, response_status, response_body, error_code, error_message, prompt_tokens,
                         completion_tokens, total_tokens, latency_ms, cached)
                ON o.id = h.id
             WHERE j.id = h.id
            RETURNING j.id
            """;

    private static final String RUNNING_TO_SUCCEEDED_MANY = RUNNING_TO_FINISHED_MANY.formatted("succeeded");

    private static final String RUNNING_TO_FAILED_MANY = RUNNING_TO_FINISHED_MANY.formatted("failed");

    private static final String RUNNING_TO_SUCCEEDED = RUNNING_TO_FINISHED.formatted("succeeded");

    private static final String RUNNING_TO_FAILED = RUNNING_TO_FINISHED.formatted("failed");

    /**
     * The claim's holder puts the job back (a retry, a 429) and keeps its message: {@code published_at} is left as it
     * is, since that message is still the job's. {@code refund} gives the attempt back.
     */
    private static final String RUNNING_TO_QUEUED = """
            UPDATE jobs
               SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL,
                   not_before = now() + :delayMillis * interval '1 millisecond', attempts = attempts - :refund
             WHERE id = :id AND status = 'running' AND lease_owner = :token
            """;

    /**
     * The rescuer: a running job whose lease lapsed (its worker died or stalled) and that has attempts left goes back
     * to the queue. Its message may be gone (redelivered and dropped as a duplicate while the lease was live, or held
     * by a stalled worker), so {@code rescued_at} asks the api's publish sweeper for a new one.
     */
    private static final String RUNNING_TO_QUEUED_LEASE_LAPSED = """
            UPDATE jobs
               SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, rescued_at = now()
             WHERE status = 'running'
               AND id IN (SELECT id FROM jobs
                           WHERE status = 'running' AND lease_expires_at < now() AND attempts < :maxAttempts
                           ORDER BY lease_expires_at LIMIT :limit FOR UPDATE SKIP LOCKED)
            """;

    /**
     * The rescuer, at the maximum: a job whose lease lapsed on its last attempt fails ({@code worker_lost}) rather
     * than go back, so a request that kills every worker that runs it is not retried forever.
     */
    private static final String RUNNING_TO_FAILED_WORKER_LOST = """
            UPDATE jobs
               SET status = 'failed', completed_at = now(), lease_owner = NULL, lease_expires_at = NULL,
                   error_code = 'worker_lost',
                   error_message = format('the worker running attempt %s of %s stopped before storing its result',
                                          attempts, CAST(:maxAttempts AS integer))
             WHERE status = 'running'
               AND id IN (SELECT id FROM jobs
                           WHERE status = 'running' AND lease_expires_at < now() AND attempts >= :maxAttempts
                           ORDER BY lease_expires_at LIMIT :limit FOR UPDATE SKIP LOCKED)
            RETURNING id, batch_id, model, attempts
            """;

    /** A client's cancel of one job: only while it is queued; a running job finishes. */
    private static final String QUEUED_TO_CANCELLED = """
            UPDATE jobs
               SET status = 'cancelled', completed_at = :now, error_code = 'cancelled', error_message = :errorMessage
             WHERE id = :id AND tenant_id = :tenantId AND status = 'queued'
            """;

    /** A batch's cancel: every job still queued; running ones are left to finish. */
    private static final String QUEUED_TO_CANCELLED_WITH_BATCH = """
            UPDATE jobs
               SET status = 'cancelled', completed_at = :now,
                   error_code = 'batch_cancelled', error_message = :errorMessage
             WHERE batch_id = :batchId AND status = 'queued'
            """;

    /**
     * Queued jobs of batches being cancelled: a job that was running when its batch was cancelled and then
     * went back to the queue (a retry, a 429, a rescued lease) must not run again.
     */
    private static final String QUEUED_TO_CANCELLED_BATCH_CANCELLING = """
            UPDATE jobs
               SET status = 'cancelled', completed_at = :now, not_before = NULL,
                   error_code = 'batch_cancelled', error_message = 'its batch was cancelled before this request ran'
             WHERE status = 'queued'
               AND batch_id IN (SELECT id FROM batches WHERE status = 'cancelling')
               AND (CAST(:id AS text) IS NULL OR id = :id)
            """;

    /**
     * Queued jobs of {@code in_progress} batches whose completion window has closed (on the database's clock): never
     * started, or back in the queue after the window closed (a retry, a 429, a rescued lease). Jobs already running
     * finish; a {@code cancelling} batch is left to the cancel. One statement, so a batch's jobs expire together.
     */
    private static final String QUEUED_TO_EXPIRED = """
            UPDATE jobs j
               SET status = 'expired', completed_at = :now, not_before = NULL,
                   error_code = 'batch_expired',
                   error_message = format('batch %s expired (completion window %s) before this request ran',
                                          b.id, b.completion_window)
              FROM batches b
             WHERE j.batch_id = b.id AND j.status = 'queued'
               AND b.status = 'in_progress' AND b.expires_at <= now()
               AND (CAST(:id AS text) IS NULL OR j.id = :id)
            """;

    /** {@code error_code} of a job cancelled on its own ({@code POST /v1/jobs/{id}/cancel}). */
    public static final String CANCELLED = "cancelled";
    /** {@code error_code} of a job cancelled with its batch, as in OpenAI's error file. */
    public static final String BATCH_CANCELLED = "batch_cancelled";
    /** {@code error_code} of a job whose batch's completion window closed before it ran, as in OpenAI's error file. */
    public static final String BATCH_EXPIRED = "batch_expired";
    /** {@code error_code} of a job whose worker died (its lease lapsed) during its last allowed attempt. */
    public static final String WORKER_LOST = "worker_lost";

    /**
     * A job the rescuer failed with {@link #WORKER_LOST}.
     *
     * @param id       the job
     * @param batchId  its batch, or null for a single job
     * @param model    its model
     * @param attempts the attempts it made, the last of which lost its worker
     */
    public record LostJob(String id, String batchId, String model, int attempts) {}

    private final JdbcClient jdbc;
    private final NamedParameterJdbcOperations pipelined;

    public JobTransitions(JdbcClient jdbc, NamedParameterJdbcOperations pipelined) {
        this.jdbc = jdbc;
        this.pipelined = pipelined;
    }

    /**
     * Claims a queued, due job under {@code token} for {@code lease} from now on the database's clock; empty when it
     * is not claimable (done, running under another claim, or backing off).
     */
    public Optional<ClaimedJob> claim(String id, String token, Duration lease) {
        return jdbc.sql(QUEUED_TO_RUNNING)
                .param("id", id)
                .param("token", token)
                .param("leaseMillis", lease.toMillis())
                .query(JobTransitions::claimed)
                .optional();
    }

    private static ClaimedJob claimed(ResultSet rs, int row) throws SQLException {
        return new ClaimedJob(
                rs.getString("id"),
                rs.getString("tenant_id"),
                rs.getString("batch_id"),
                rs.getString("url"),
                rs.getString("model"),
                rs.getString("body"),
                rs.getInt("priority"),
                rs.getInt("attempts"));
    }

    /**
     * Claims, in one statement, those of the queued, due jobs {@code ids} that no other transaction holds locked, each
     * under its token in {@code tokens} (same order; distinct ids), for {@code lease}; returns the claimed ones. An id
     * missing from the answer was not claimable or was locked: {@link #claim} tells which.
     */
    public List<ClaimedJob> claimMany(List<String> ids, List<String> tokens, Duration lease) {
        return claimMany(ids, tokens, lease, Pipelined.Statement.NONE, Pipelined.Statement.NONE);
    }

    /**
     * As {@link #claimMany(List, List, Duration)}, in one round trip with {@code before} and {@code after},
     * statements of the caller's transaction (returning no rows, and naming none of the parameters {@code ids},
     * {@code tokens}, {@code leaseMillis}): a take sends its budget's write before the claim and its {@link
     * Pipelined.Statement#COMMIT} after it. With no ids, only those two are sent.
     */
    public List<ClaimedJob> claimMany(
            List<String> ids,
            List<String> tokens,
            Duration lease,
            Pipelined.Statement before,
            Pipelined.Statement after) {
        if (ids.isEmpty()) {
            Pipelined.run(pipelined, Pipelined.together(before, after));
            return List.of();
        }
        Map<String, Object> params = Map.of(
                "ids", ids.toArray(String[]::new),
                "tokens", tokens.toArray(String[]::new),
                "leaseMillis", lease.toMillis());
        return Pipelined.lastRows(
                pipelined,
                Pipelined.together(before, new Pipelined.Statement(QUEUED_TO_RUNNING_MANY, params), after),
                JobTransitions::claimed);
    }

    /**
     * How long until the job may be claimed ({@link Duration#ZERO} when due), if it is queued; empty when it is
     * running, finished or unknown. Tells a worker whose claim came back empty whether its message is a duplicate
     * (drop it) or early (hold it).
     */
    public Optional<Duration> dueIn(String id) {
        return jdbc.sql(QUEUED_DUE_IN)
                .param("id", id)
                .query((rs, n) -> Duration.ofMillis(rs.getLong("due_in_ms")))
                .optional();
    }

    /** Stores a success; false if the job is no longer held by this claim. */
    public boolean markSucceeded(String id, String token, Outcome outcome, Instant now) {
        return finish(RUNNING_TO_SUCCEEDED, id, token, outcome, now);
    }

    /** Stores a final failure; false if the job is no longer held by this claim. */
    public boolean markFailed(String id, String token, Outcome outcome, Instant now) {
        return finish(RUNNING_TO_FAILED, id, token, outcome, now);
    }

    /**
     * Stores many final outcomes in one statement: each {@code finishes} entry as {@link #markSucceeded} or
     * {@link #markFailed} stores it (distinct job ids). Returns the ids stored; an id missing was no longer held by
     * its claim, or was locked by another transaction: the caller finishes those one by one.
     */
    public Set<String> finishMany(List<Finish> finishes) {
        Set<String> stored = new HashSet<>();
        stored.addAll(finishMany(
                RUNNING_TO_SUCCEEDED_MANY,
                finishes.stream().filter(Finish::succeeded).toList()));
        stored.addAll(finishMany(
                RUNNING_TO_FAILED_MANY,
                finishes.stream().filter(f -> !f.succeeded()).toList()));
        return stored;
    }

    /**
     * One job's end, for {@link #finishMany}.
     *
     * @param id        the job
     * @param token     the claim that holds it
     * @param succeeded whether it succeeded (or failed)
     * @param outcome   what it stores
     * @param now       its {@code completed_at}
     */
    public record Finish(String id, String token, boolean succeeded, Outcome outcome, Instant now) {}

    private List<String> finishMany(String sql, List<Finish> finishes) {
        if (finishes.isEmpty()) {
            return List.of();
        }
        return jdbc.sql(sql)
                .param("ids", column(finishes, Finish::id, String[]::new))
                .param("tokens", column(finishes, Finish::token, String[]::new))
                .param("completedAt", column(finishes, f -> f.now().toString(), String[]::new))
                .param("responseStatus", column(finishes, f -> f.outcome().responseStatus(), Integer[]::new))
                .param("responseBody", column(finishes, f -> f.outcome().responseBody(), String[]::new))
                .param("errorCode", column(finishes, f -> f.outcome().errorCode(), String[]::new))
                .param("errorMessage", column(finishes, f -> f.outcome().errorMessage(), String[]::new))
                .param("promptTokens", column(finishes, f -> f.outcome().promptTokens(), Integer[]::new))
                .param("completionTokens", column(finishes, f -> f.outcome().completionTokens(), Integer[]::new))
                .param("totalTokens", column(finishes, f -> f.outcome().totalTokens(), Integer[]::new))
                .param("latencyMs", column(finishes, f -> f.outcome().latencyMs(), Integer[]::new))
                .param("cached", column(finishes, f -> f.outcome().cached(), Boolean[]::new))
                .query(String.class)
                .list();
    }

    private static <T> T[] column(List<Finish> finishes, Function<Finish, T> value, IntFunction<T[]> array) {
        return finishes.stream().map(value).toArray(array);
    }

    private boolean finish(String sql, String id, String token, Outcome outcome, Instant now) {
        return jdbc.sql(sql)
                        .param("id", id)
                        .param("token", token)
                        .param("now", Timestamps.bind(now))
                        .param("responseStatus", outcome.responseStatus())
                        .param("responseBody", outcome.responseBody())
                        .param("errorCode", outcome.errorCode())
                        .param("errorMessage", outcome.errorMessage())
                        .param("promptTokens", outcome.promptTokens())
                        .param("completionTokens", outcome.completionTokens())
                        .param("totalTokens", outcome.totalTokens())
                        .param("latencyMs", outcome.latencyMs())
                        .param("cached", outcome.cached())
                        .update()
                == 1;
    }

    /**
     * Puts a job held by this claim back in the queue, not to be claimed for {@code delay} (on the database's
     * clock); {@code refundAttempt} for a 429. Its message stays the caller's. False if the claim was lost.
     */
    public boolean requeue(String id, String token, Duration delay, boolean refundAttempt) {
        return jdbc.sql(RUNNING_TO_QUEUED)
                        .param("id", id)
                        .param("token", token)
                        .param("delayMillis", Math.max(0, delay.toMillis()))
                        .param("refund", refundAttempt ? 1 : 0)
                        .update()
                == 1;
    }

    /**
     * Re-queues up to {@code limit} running jobs whose lease has lapsed and that have made fewer than
     * {@code maxAttempts} attempts, for the api's publish sweeper to send again; returns how many.
     */
    public int requeueLapsed(int maxAttempts, int limit) {
        return jdbc.sql(RUNNING_TO_QUEUED_LEASE_LAPSED)
                .param("maxAttempts", maxAttempts)
                .param("limit", limit)
                .update();
    }

    /** Fails, as {@link #WORKER_LOST}, up to {@code limit} running jobs whose lease lapsed on their last attempt. */
    public List<LostJob> failLapsed(int maxAttempts, int limit) {
        return jdbc.sql(RUNNING_TO_FAILED_WORKER_LOST)
                .param("maxAttempts", maxAttempts)
                .param("limit", limit)
                .query((rs, n) -> new LostJob(
                        rs.getString("id"), rs.getString("batch_id"), rs.getString("model"), rs.getInt("attempts")))
                .list();
    }

    /**
     * Cancels the tenant's job if it is still queued, with {@code error_code} {@code cancelled}; false if it
     * was in any other state (or absent). Its message, if any, is then dropped by the claim.
     */
    public boolean cancelQueued(String tenantId, String id, String errorMessage, Instant now) {
        return jdbc.sql(QUEUED_TO_CANCELLED)
                        .param("id", id)
                        .param("tenantId", tenantId)
                        .param("errorMessage", errorMessage)
                        .param("now", Timestamps.bind(now))
                        .update()
                == 1;
    }

    /**
     * Cancels every queued job of the batch with {@code error_code} {@code batch_cancelled}; returns how many.
     * Call in the transaction that moves the batch to {@code cancelling}.
     */
    public int cancelQueuedOfBatch(String batchId, String errorMessage, Instant now) {
        return jdbc.sql(QUEUED_TO_CANCELLED_WITH_BATCH)
                .param("batchId", batchId)
                .param("errorMessage", errorMessage)
                .param("now", Timestamps.bind(now))
                .update();
    }

    /**
     * Cancels queued jobs whose batch is being cancelled — all of them, or only job {@code id} when it is
     * not null; returns how many.
     */
    public int cancelQueuedOfCancellingBatches(String id, Instant now) {
        return jdbc.sql(QUEUED_TO_CANCELLED_BATCH_CANCELLING)
                .param("id", id)
                .param("now", Timestamps.bind(now))
                .update();
    }

    /**
     * Expires, with {@code error_code} {@code batch_expired}, queued jobs of {@code in_progress} batches whose
     * {@code expires_at} has passed on the database's clock — all of them, or only job {@code id} when it is not
     * null; returns how many. An expired job's message is then dropped by the claim, which takes only queued jobs;
     * a job still queued past its batch's window but not yet expired by this call may still be claimed and run.
     */
    public int expireQueuedOfExpiredBatches(String id, Instant now) {
        return jdbc.sql(QUEUED_TO_EXPIRED)
                .param("id", id)
                .param("now", Timestamps.bind(now))
                .update();
    }
}
