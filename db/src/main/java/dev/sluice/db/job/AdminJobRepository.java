package dev.sluice.db.job;

import dev.sluice.common.JobStatus;
import dev.sluice.db.Timestamps;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
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
    private static final String NEXT_PAGE = COLUMNS + " WHERE (created_at, id) < (:cursorCreatedAt, :cursorId)\n"
            + FILTERS + NEWEST_FIRST;

    private static final String CURSOR = """
            SELECT created_at FROM jobs WHERE id = :id
            """;

    /** Retrying by filter: the failed jobs matching it, oldest first, so repeated calls make progress. */
    private static final String FAILED = """
            SELECT * FROM jobs WHERE status = 'failed'
            """ + FILTERS + """
             ORDER BY created_at, id
             LIMIT :limit
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
            Optional<Instant> cursor = jdbc.sql(CURSOR).param("id", after)
                    .query((rs, n) -> Timestamps.read(rs, "created_at")).optional();
            if (cursor.isEmpty()) {
                return List.of();
            }
            statement = jdbc.sql(NEXT_PAGE).param("cursorCreatedAt", Timestamps.bind(cursor.get()))
                    .param("cursorId", after);
        }
        return bind(statement, filter).param("limit", limit)
                .query((rs, n) -> new AdminJob(rs.getString("id"), rs.getString("tenant_id"), rs.getString("batch_id"),
                        Timestamps.readInt(rs, "line_no"), rs.getString("custom_id"), rs.getString("url"),
                        rs.getString("model"), rs.getInt("priority"), JobStatus.fromWire(rs.getString("status")),
                        rs.getInt("attempts"), Timestamps.read(rs, "created_at"), Timestamps.read(rs, "started_at"),
                        Timestamps.read(rs, "completed_at"), Timestamps.readInt(rs, "response_status"),
                        rs.getString("error_code"), rs.getString("error_message"),
                        Timestamps.readInt(rs, "prompt_tokens"), Timestamps.readInt(rs, "completion_tokens"),
                        Timestamps.readInt(rs, "total_tokens"), Timestamps.readInt(rs, "latency_ms")))
                .list();
    }

    /** Up to {@code limit} failed jobs matching {@code filter} (its status is ignored), oldest first, in full. */
    public List<JobRow> failed(JobFilter filter, int limit) {
        return bind(jdbc.sql(FAILED), filter.withStatus(null)).param("limit", limit)
                .query(JobRowMapper.INSTANCE).list();
    }

    /** Any tenant's job, in full. */
    public Optional<JobRow> one(String jobId) {
        return jdbc.sql(ONE).param("id", jobId).query(JobRowMapper.INSTANCE).optional();
    }

    /** Binds the four filter parameters of {@link #FILTERS}. */
    static StatementSpec bind(StatementSpec statement, JobFilter filter) {
        return statement.param("status", filter.status() == null ? null : filter.status().wire())
                .param("model", filter.model())
                .param("batchId", filter.batchId())
                .param("tenantId", filter.tenantId());
    }
}
