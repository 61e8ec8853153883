package dev.sluice.db.job;

import dev.sluice.common.JobMessage;
import dev.sluice.common.TokenEstimate;
import dev.sluice.db.Pipelined;
import dev.sluice.db.Timestamps;
import dev.sluice.db.lane.LaneKey;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Repository;

/**
 * The {@code jobs} table: bulk insert, reads, and the record of each job's message ({@code published_at}). Every
 * change of a job's status is in {@link JobTransitions}.
 *
 * <p>{@code published_at} has one owner, the api-service's dispatch: it is when the broker confirmed the job's
 * current message (on the database's clock), and null while the job has none. A worker never writes it: a retry
 * keeps its message, and a job the lease rescuer re-queued is marked {@code rescued_at} instead, which these
 * statements read as "needs a new message" until one is published after it. A batch's jobs are the exception:
 * they are stored with {@code published_at} set (to their {@code created_at}, the api's clock), since their batch's
 * publisher sends their messages and records how far the broker confirmed them once per chunk, in {@code
 * batch_publications} (V36); a line at or after its batch's {@code unconfirmed_from} has no confirmed message yet.
 */
@Repository
public class JobRepository {

    private static final String COPY_IN = "COPY jobs " + JobCopyWriter.COLUMNS + " FROM STDIN";

    /** One job in one statement: a single job's store is one round trip, where COPY takes two. */
    private static final String INSERT_ONE = "INSERT INTO jobs " + JobCopyWriter.COLUMNS + """
             VALUES (:id, :tenantId, :batchId, :lineNo, :customId, :url, :model, :body, :priority, 'queued',
                     :webhookUrl, CAST(:webhookEvents AS text[]), :promptTokens, :maxOutputTokens, :now, NULL)
            """;

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

    /** Which of these jobs are finished: the facade's re-check for callers whose notification was lost. */
    private static final String FINISHED_AMONG = """
            SELECT id FROM jobs
             WHERE id = ANY(CAST(:ids AS text[])) AND status IN ('succeeded', 'failed', 'cancelled', 'expired')
            """;

    /**
     * Queued, due jobs without a message: never confirmed by the broker (not of a batch under a live publishing
     * lease, V16, whose creator is still publishing it), or re-queued by the lease rescuer and not published since.
     * Backoff ({@code not_before}) is compared on the database's clock, which set it: publishing earlier would only
     * bounce off the claim. Two ordered branches, so each walks its own partial index and stops at the limit.
     */
    private static final String UNPUBLISHED_DUE = """
            (SELECT id, model, tenant_id, priority, prompt_tokens_estimate, max_output_tokens FROM jobs
              WHERE status = 'queued' AND published_at IS NULL AND created_at < :createdBefore
                AND (not_before IS NULL OR not_before <= now())
                AND NOT EXISTS (SELECT 1 FROM batches b
                                 WHERE b.id = jobs.batch_id AND b.publishing_until > :now)
              ORDER BY created_at
              LIMIT :limit)
            UNION ALL
            (SELECT id, model, tenant_id, priority, prompt_tokens_estimate, max_output_tokens FROM jobs
              WHERE status = 'queued' AND rescued_at IS NOT NULL AND published_at < rescued_at
                AND (not_before IS NULL OR not_before <= now())
              ORDER BY rescued_at
              LIMIT :limit)
            LIMIT :limit
            """;

    /**
     * The queued jobs of a batch from line {@code :fromLine} on, in line order: the part of a batch's publication
     * that the broker has not confirmed ({@code batch_publications}, V36), for the sweeper that takes it over.
     */
    private static final String QUEUED_LINES_FROM = """
            SELECT id, line_no, model, tenant_id, priority, prompt_tokens_estimate, max_output_tokens FROM jobs
             WHERE batch_id = :batchId AND line_no >= :fromLine AND status = 'queued'
             ORDER BY line_no
             LIMIT :limit
            """;

    /**
     * A join against the id array rather than {@code id IN (...)}: with a long list and a freshly
     * COPYed batch (no statistics yet), PostgreSQL scans the partial unpublished index and tests
     * every row against the whole list, which made marking a 100,000-job batch take minutes. Public for {@link
     * dev.sluice.db.lane.LaneRepository#enterPublished}, which sends it with the lanes' upsert in one round trip.
     */
    public static final String MARK_PUBLISHED = """
            UPDATE jobs j SET published_at = now()
              FROM unnest(CAST(:ids AS text[])) AS confirmed(id)
             WHERE j.id = confirmed.id AND j.status = 'queued'
               AND (j.published_at IS NULL OR j.published_at < j.rescued_at)
            """;

    /**
     * Forgets the publication of queued jobs of one model that were published long ago and are due, so the
     * unpublished sweeper publishes them again: called only when the model's queue is empty, which means
     * the broker lost their messages (a queue deleted or purged, a broker that lost its disk). Lines of a batch whose
     * messages the broker has not confirmed yet ({@link #QUEUED_LINES_FROM}) are left to its publication.
     */
    private static final String FORGET_LOST_MESSAGES = """
            UPDATE jobs SET published_at = NULL
             WHERE id IN (SELECT id FROM jobs
                           WHERE status = 'queued' AND model = :model AND tenant_id = :tenantId
                             AND published_at < now() - :republishAfterMillis * interval '1 millisecond'
                             AND (not_before IS NULL OR not_before <= now())
                             AND NOT EXISTS (SELECT 1 FROM batch_publications p
                                              WHERE p.batch_id = jobs.batch_id AND jobs.line_no >= p.unconfirmed_from)
                           ORDER BY published_at
                           LIMIT :limit)
            """;

    /** Lanes with queued, due jobs published long ago: whose messages may have been lost. */
    private static final String LANES_WITH_OLD_MESSAGES = """
            SELECT DISTINCT model, tenant_id FROM jobs
             WHERE status = 'queued'
               AND published_at < now() - :republishAfterMillis * interval '1 millisecond'
               AND (not_before IS NULL OR not_before <= now())
            """;

    private final JdbcClient jdbc;
    private final DataSource dataSource;

    public JobRepository(JdbcClient jdbc, DataSource dataSource) {
        this.jdbc = jdbc;
        this.dataSource = dataSource;
    }

    /**
     * Inserts jobs with COPY, streaming rather than building one statement; call inside the
     * transaction that inserts their batch, so that a failure leaves no row behind. They have no message yet
     * ({@code published_at} null).
     */
    public void insertAll(Collection<NewJob> jobs, Instant now) {
        copy(jobs, now, null);
    }

    /**
     * Inserts a batch's jobs as {@link #insertAll} does, recorded as published at {@code now}: their batch's publisher
     * sends their messages and records its progress per chunk ({@code batch_publications}, V36), not per job. Call in
     * the transaction that also stores the batch's publication ({@code BatchRepository#setRequestTotal}).
     */
    public void insertBatchLines(Collection<NewJob> jobs, Instant now) {
        copy(jobs, now, now);
    }

    private void copy(Collection<NewJob> jobs, Instant now, Instant publishedAt) {
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try {
            PGConnection pg = connection.unwrap(PGConnection.class);
            try (var out = new BufferedWriter(
                    new OutputStreamWriter(new PGCopyOutputStream(pg, COPY_IN, 1 << 16), StandardCharsets.UTF_8),
                    1 << 16)) {
                JobCopyWriter writer = new JobCopyWriter(out, now, publishedAt);
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

    /** Inserts one job ({@link #insertAll} for many); call inside the transaction whose checks it is part of. */
    public void insert(NewJob job, Instant now) {
        Pipelined.Statement insertion = insertion(job, now);
        jdbc.sql(insertion.sql()).params(insertion.params()).update();
    }

    /** The insert of one job, to be sent along with the statements that check it ({@link Pipelined#together}). */
    public static Pipelined.Statement insertion(NewJob job, Instant now) {
        Map<String, Object> params = new HashMap<>();
        params.put("id", job.id());
        params.put("tenantId", job.tenantId());
        params.put("batchId", job.batchId());
        params.put("lineNo", job.lineNo());
        params.put("customId", job.customId());
        params.put("url", job.url());
        params.put("model", job.model());
        params.put("body", job.body());
        params.put("priority", job.priority());
        params.put("webhookUrl", job.webhookUrl());
        params.put(
                "webhookEvents",
                job.webhookEvents() == null ? null : job.webhookEvents().toArray(String[]::new));
        params.put("promptTokens", job.tokens().promptTokens());
        params.put("maxOutputTokens", job.tokens().maxOutputTokens());
        params.put("now", Timestamps.bind(now));
        return new Pipelined.Statement(INSERT_ONE, params);
    }

    /** The ids among {@code ids} whose job is in a terminal status. */
    public List<String> finishedAmong(Collection<String> ids) {
        return jdbc.sql(FINISHED_AMONG)
                .param("ids", ids.toArray(String[]::new))
                .query(String.class)
                .list();
    }

    /** The job if it exists and belongs to the tenant. */
    public Optional<JobRow> find(String tenantId, String id) {
        return jdbc.sql(FIND_FOR_TENANT)
                .param("id", id)
                .param("tenantId", tenantId)
                .query(JobRowMapper.INSTANCE)
                .optional();
    }

    /** Up to {@code limit} jobs of a batch in line order after the job {@code afterId} (null: from the first), optionally of one status. */
    public List<JobRow> pageByBatch(String batchId, String status, String afterId, int limit) {
        return jdbc.sql(PAGE_BY_BATCH)
                .param("batchId", batchId)
                .param("status", status)
                .param("afterId", afterId)
                .param("limit", limit)
                .query(JobRowMapper.INSTANCE)
                .list();
    }

    /**
     * Up to {@code limit} queued, due jobs that have no message: created before {@code createdBefore} and never
     * confirmed by the broker, unless their batch has a publishing lease beyond {@code now}; or re-queued by the lease
     * rescuer and not published since. What the api-service's sweeper publishes.
     */
    public List<JobMessage> unpublishedDue(Instant createdBefore, Instant now, int limit) {
        return jdbc.sql(UNPUBLISHED_DUE)
                .param("createdBefore", Timestamps.bind(createdBefore))
                .param("now", Timestamps.bind(now))
                .param("limit", limit)
                .query((rs, n) -> message(rs))
                .list();
    }

    /** A queued job of a batch and its line. */
    public record BatchLine(int lineNo, JobMessage message) {}

    /**
     * Up to {@code limit} queued jobs of the batch from line {@code fromLine} on, in line order: what is left of a
     * batch's publication whose publisher stopped ({@code batch_publications}, V36).
     */
    public List<BatchLine> queuedLinesFrom(String batchId, int fromLine, int limit) {
        return jdbc.sql(QUEUED_LINES_FROM)
                .param("batchId", batchId)
                .param("fromLine", fromLine)
                .param("limit", limit)
                .query((rs, n) -> new BatchLine(rs.getInt("line_no"), message(rs)))
                .list();
    }

    /** The message of the job in the row: its id, model, tenant, priority and token estimate. */
    private static JobMessage message(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new JobMessage(
                rs.getString("id"),
                rs.getString("model"),
                rs.getString("tenant_id"),
                rs.getInt("priority"),
                tokens(rs));
    }

    /** A job row's token estimate; one stored before estimates were made is {@link TokenEstimate#UNKNOWN}. */
    private static TokenEstimate tokens(java.sql.ResultSet rs) throws java.sql.SQLException {
        Integer prompt = Timestamps.readInt(rs, "prompt_tokens_estimate");
        return prompt == null
                ? TokenEstimate.UNKNOWN
                : new TokenEstimate(prompt, Timestamps.readInt(rs, "max_output_tokens"));
    }

    /** Records, on the database's clock, that the broker confirmed these jobs' messages. */
    public int markPublished(Collection<String> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        return jdbc.sql(MARK_PUBLISHED).param("ids", ids.toArray(String[]::new)).update();
    }

    /** The lanes (model, tenant) with queued, due jobs published more than {@code republishAfter} ago. */
    public List<LaneKey> lanesWithOldMessages(Duration republishAfter) {
        return jdbc.sql(LANES_WITH_OLD_MESSAGES)
                .param("republishAfterMillis", republishAfter.toMillis())
                .query((rs, n) -> new LaneKey(rs.getString("model"), rs.getString("tenant_id")))
                .list();
    }

    /**
     * Marks up to {@code limit} queued, due jobs of the lane published more than {@code republishAfter} ago as
     * unpublished again (their messages are gone); returns how many.
     */
    public int forgetLostMessages(LaneKey lane, Duration republishAfter, int limit) {
        return jdbc.sql(FORGET_LOST_MESSAGES)
                .param("model", lane.model())
                .param("tenantId", lane.tenantId())
                .param("republishAfterMillis", republishAfter.toMillis())
                .param("limit", limit)
                .update();
    }
}
