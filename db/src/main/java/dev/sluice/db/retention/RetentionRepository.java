package dev.sluice.db.retention;

import dev.sluice.db.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The retention sweep's statements, each one bounded chunk in its own transaction, on PostgreSQL's clock. Every
 * statement takes its rows {@code FOR UPDATE SKIP LOCKED} and changes only rows not yet expired, so several
 * replicas sweeping at once share the work and never do any of it twice.
 *
 * <p>What expires: a finished batch's content ({@code content_expired_at}, its files' {@code expired_at}; then its
 * jobs' request and response bodies, a chunk of lines at a time, in line order, {@code purged_lines}), a finished
 * single job's bodies, and an upload's bytes ({@code file_parts}). Rows, statuses, counts and usage stay.
 */
@Repository
public class RetentionRepository {

    private static final String BEFORE = "now() - :retentionMillis * interval '1 millisecond'";

    private static final String EXPIRE_FINISHED_BATCHES = """
            WITH due AS (
                SELECT id FROM batches
                 WHERE content_expired_at IS NULL AND status IN ('completed', 'failed', 'expired', 'cancelled')
                   AND coalesce(completed_at, failed_at, expired_at, cancelled_at) < %s
                 ORDER BY coalesce(completed_at, failed_at, expired_at, cancelled_at)
                 LIMIT :limit
                   FOR UPDATE SKIP LOCKED),
            expired AS (
                UPDATE batches b SET content_expired_at = now() FROM due WHERE b.id = due.id RETURNING b.id),
            files AS (
                UPDATE files f SET expired_at = now() FROM expired
                 WHERE f.batch_id = expired.id AND f.expired_at IS NULL)
            SELECT count(*) FROM expired
            """.formatted(BEFORE);

    /** One chunk of lines of one expired batch; the batch row's lock keeps another replica off the same lines. */
    private static final String PURGE_BATCH_LINES = """
            WITH b AS (
                SELECT id, purged_lines, request_total FROM batches
                 WHERE content_expired_at IS NOT NULL AND purged_lines < request_total
                 ORDER BY content_expired_at
                 LIMIT 1
                   FOR UPDATE SKIP LOCKED),
            purged AS (
                UPDATE jobs j SET body = NULL, response_body = NULL, content_expired_at = now()
                  FROM b
                 WHERE j.batch_id = b.id AND j.line_no > b.purged_lines AND j.line_no <= b.purged_lines + :lines
                RETURNING j.id),
            moved AS (
                UPDATE batches x SET purged_lines = least(b.purged_lines + :lines, b.request_total)
                  FROM b WHERE x.id = b.id
                RETURNING x.id)
            SELECT (SELECT count(*) FROM moved) + (SELECT count(*) FROM purged)
            """;

    private static final String EXPIRE_SINGLE_JOBS = """
            UPDATE jobs SET body = NULL, response_body = NULL, content_expired_at = now()
             WHERE id IN (SELECT id FROM jobs
                           WHERE batch_id IS NULL AND completed_at IS NOT NULL AND content_expired_at IS NULL
                             AND completed_at < %s
                           ORDER BY completed_at
                           LIMIT :limit
                             FOR UPDATE SKIP LOCKED)
            """.formatted(BEFORE);

    private static final String EXPIRE_UPLOADS = """
            WITH due AS (
                SELECT id FROM files
                 WHERE batch_id IS NULL AND expired_at IS NULL AND created_at < %s
                 ORDER BY created_at
                 LIMIT :limit
                   FOR UPDATE SKIP LOCKED),
            expired AS (
                UPDATE files f SET expired_at = now() FROM due WHERE f.id = due.id RETURNING f.id),
            parts AS (
                DELETE FROM file_parts p USING expired WHERE p.file_id = expired.id)
            SELECT count(*) FROM expired
            """.formatted(BEFORE);

    private static final String BATCH_CONTENT_EXPIRED_AT = """
            SELECT content_expired_at FROM batches WHERE id = :id AND content_expired_at IS NOT NULL
            """;

    private final JdbcClient jdbc;

    RetentionRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Marks up to {@code limit} batches finished more than {@code retention} ago as expired, with their files;
     * returns how many. Their jobs' bodies go afterwards, through {@link #purgeBatchLines}.
     */
    public int expireFinishedBatches(Duration retention, int limit) {
        return jdbc.sql(EXPIRE_FINISHED_BATCHES)
                .param("retentionMillis", retention.toMillis())
                .param("limit", limit)
                .query(Integer.class)
                .single();
    }

    /**
     * Removes the bodies of the next {@code lines} lines of one expired batch; false when no expired batch has
     * bodies left (or the ones left are being purged by another replica).
     */
    public boolean purgeBatchLines(int lines) {
        return jdbc.sql(PURGE_BATCH_LINES)
                        .param("lines", lines)
                        .query(Long.class)
                        .single()
                > 0;
    }

    /** Removes the bodies of up to {@code limit} single jobs finished more than {@code retention} ago. */
    public int expireSingleJobs(Duration retention, int limit) {
        return jdbc.sql(EXPIRE_SINGLE_JOBS)
                .param("retentionMillis", retention.toMillis())
                .param("limit", limit)
                .update();
    }

    /** Deletes the bytes of up to {@code limit} uploads made more than {@code retention} ago; returns how many. */
    public int expireUploads(Duration retention, int limit) {
        return jdbc.sql(EXPIRE_UPLOADS)
                .param("retentionMillis", retention.toMillis())
                .param("limit", limit)
                .query(Integer.class)
                .single();
    }

    /** When the batch's content expired, if it did. */
    public Optional<Instant> batchContentExpiredAt(String batchId) {
        return jdbc.sql(BATCH_CONTENT_EXPIRED_AT)
                .param("id", batchId)
                .query((rs, n) -> Timestamps.read(rs, "content_expired_at"))
                .optional();
    }
}
