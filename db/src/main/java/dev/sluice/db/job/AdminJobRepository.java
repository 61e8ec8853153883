package dev.sluice.db.job;

import dev.sluice.common.JobStatus;
import dev.sluice.db.Timestamps;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.core.simple.JdbcClient.StatementSpec;
import org.springframework.stereotype.Repository;

/**
 * {@code GET /admin/jobs}: every tenant's jobs, newest first, filtered, paged by keyset on
 * {@code (created_at, id)} (index {@code jobs_created_id_ix}), so a deep page costs what the first does.
 * Bodies are not read: the admin view shows where work is, not what it says.
 */
@Repository
public class AdminJobRepository {

    static final String FILTERS = """
               AND (CAST(:status AS text) IS NULL OR status = :status)
               AND (CAST(:model AS text) IS NULL OR model = :model)
               AND (CAST(:batchId AS text) IS NULL OR batch_id = :batchId)
               AND (CAST(:tenantId AS text) IS NULL OR tenant_id = :tenantId)
            """;

    private static final String COLUMNS = """
            SELECT id, tenant_id, batch_id, line_no, custom_id, url, model, priority, status, attempts,
                   created_at, started_at, completed_at, response_status, error_code, error_message,
                   prompt_tokens, completion_tokens, total_tokens, latency_ms
              FROM jobs
            """;

    private static final String NEWEST_FIRST = """
             ORDER BY created_at DESC, id DESC
             LIMIT :limit
            """;

    private static final String FIRST_PAGE = COLUMNS + " WHERE true\n" + FILTERS + NEWEST_FIRST;

    /**
     * The cursor is bound as values, not looked up inside the statement, so the row comparison is an index
     * condition on {@code jobs_created_id_ix} and a deep page starts where the previous one ended.
     */
    private static final String NEXT_PAGE =
            COLUMNS + " WHERE (created_at, id) < (:cursorCreatedAt, :cursorId)\n" + FILTERS + NEWEST_FIRST;

    private static final String CURSOR = """
            SELECT created_at FROM jobs WHERE id = :id
            """;

    /**
     * Retrying by filter: the failed jobs matching it that no earlier retry claimed, oldest first, so repeated
     * calls walk the failed set (index {@code jobs_failed_unretried_ix}).
     */
    private static final String FAILED = """
            SELECT * FROM jobs WHERE status = 'failed' AND retried_at IS NULL AND body IS NOT NULL
            """ + FILTERS + """
             ORDER BY created_at, id
             LIMIT :limit
            """;

    /** Claims failed jobs for one retry; a job another retry claimed first is not returned. */
    private static final String CLAIM_RETRY = """
            UPDATE jobs SET retried_at = :now
             WHERE id = ANY(CAST(:ids AS text[])) AND status = 'failed' AND retried_at IS NULL AND body IS NOT NULL
            RETURNING id
            """;

    /** Names what the claimed jobs were retried as, once it is stored. */
    private static final String LINK_RETRY = """
            UPDATE jobs SET retried_as = :retriedAs WHERE id = ANY(CAST(:ids AS text[])) AND retried_at IS NOT NULL
            """;

    /** Gives claimed jobs back when their resubmission failed, so a later retry takes them. */
    private static final String RELEASE_RETRY = """
            UPDATE jobs SET retried_at = NULL WHERE id = ANY(CAST(:ids AS text[])) AND retried_as IS NULL
            """;

    private static final String RETRIED_AS = """
            SELECT retried_as FROM jobs WHERE id = :id AND retried_at IS NOT NULL
            """;

    private static final String ONE = """
            SELECT * FROM jobs WHERE id = :id
            """;

    private final JdbcClient jdbc;

    public AdminJobRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Up to {@code limit} jobs matching {@code filter}, newest first, after job {@code after} (null: from the
     * newest); empty when {@code after} names no job.
     */
    public List<AdminJob> page(JobFilter filter, String after, int limit) {
        StatementSpec statement;
        if (after == null) {
            statement = jdbc.sql(FIRST_PAGE);
        } else {
            Optional<Instant> cursor = jdbc.sql(CURSOR)
                    .param("id", after)
                    .query((rs, n) -> Timestamps.read(rs, "created_at"))
                    .optional();
            if (cursor.isEmpty()) {
                return List.of();
            }
            statement = jdbc.sql(NEXT_PAGE)
                    .param("cursorCreatedAt", Timestamps.bind(cursor.get()))
                    .param("cursorId", after);
        }
        return bind(statement, filter)
                .param("limit", limit)
                .query((rs, n) -> new AdminJob(
                        rs.getString("id"),
                        rs.getString("tenant_id"),
                        rs.getString("batch_id"),
                        Timestamps.readInt(rs, "line_no"),
                        rs.getString("custom_id"),
                        rs.getString("url"),
                        rs.getString("model"),
                        rs.getInt("priority"),
                        JobStatus.fromWire(rs.getString("status")),
                        rs.getInt("attempts"),
                        Timestamps.read(rs, "created_at"),
                        Timestamps.read(rs, "started_at"),
                        Timestamps.read(rs, "completed_at"),
                        Timestamps.readInt(rs, "response_status"),
                        rs.getString("error_code"),
                        rs.getString("error_message"),
                        Timestamps.readInt(rs, "prompt_tokens"),
                        Timestamps.readInt(rs, "completion_tokens"),
                        Timestamps.readInt(rs, "total_tokens"),
                        Timestamps.readInt(rs, "latency_ms")))
                .list();
    }

    /** Up to {@code limit} failed jobs matching {@code filter} (its status is ignored), oldest first, in full. */
    public List<JobRow> failed(JobFilter filter, int limit) {
        return bind(jdbc.sql(FAILED), filter.withStatus(null))
                .param("limit", limit)
                .query(JobRowMapper.INSTANCE)
                .list();
    }

    /**
     * Claims the failed, not yet retried jobs among {@code ids} for a retry (sets {@code retried_at}); returns
     * the ids claimed, which no other retry can claim any more.
     */
    public Set<String> claimRetry(Collection<String> ids, Instant now) {
        return Set.copyOf(jdbc.sql(CLAIM_RETRY)
                .param("ids", ids.toArray(String[]::new))
                .param("now", Timestamps.bind(now))
                .query(String.class)
                .list());
    }

    /** Records {@code retriedAs}, the new batch or job, on the jobs {@link #claimRetry claimed} for it. */
    public void linkRetry(Collection<String> ids, String retriedAs) {
        jdbc.sql(LINK_RETRY)
                .param("ids", ids.toArray(String[]::new))
                .param("retriedAs", retriedAs)
                .update();
    }

    /** Undoes {@link #claimRetry} for jobs whose resubmission failed. */
    public void releaseRetry(Collection<String> ids) {
        jdbc.sql(RELEASE_RETRY).param("ids", ids.toArray(String[]::new)).update();
    }

    /**
     * Whether the job was retried by an operator: empty if not; otherwise the new batch or job id, or an empty
     * string while the retry is being stored.
     */
    public Optional<String> retriedAs(String jobId) {
        return jdbc.sql(RETRIED_AS)
                .param("id", jobId)
                .query((rs, n) -> {
                    String as = rs.getString("retried_as");
                    return as == null ? "" : as;
                })
                .optional();
    }

    /** Any tenant's job, in full. */
    public Optional<JobRow> one(String jobId) {
        return jdbc.sql(ONE).param("id", jobId).query(JobRowMapper.INSTANCE).optional();
    }

    /** Binds the four filter parameters of {@link #FILTERS}. */
    static StatementSpec bind(StatementSpec statement, JobFilter filter) {
        return statement
                .param(
                        "status",
                        filter.status() == null ? null : filter.status().wire())
                .param("model", filter.model())
                .param("batchId", filter.batchId())
                .param("tenantId", filter.tenantId());
    }
}
