package dev.sluice.db.job;

import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The read behind {@code POST /v1/batches/{id}/retry}, kept apart from {@link JobRepository}'s hot
 * paths: the jobs of a finished batch that did not succeed.
 */
@Repository
public class JobRetryRepository {

    /** {@code failed}, {@code expired} and {@code cancelled}: every way a job ends without a success. */
    private static final String UNSUCCESSFUL_OF_BATCH = """
            SELECT * FROM jobs
             WHERE batch_id = :batchId AND status IN ('failed', 'expired', 'cancelled')
             ORDER BY line_no
            """;

    private final JdbcClient jdbc;

    public JobRetryRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The batch's jobs that ended without success, in line order. */
    public List<JobRow> unsuccessfulOfBatch(String batchId) {
        return jdbc.sql(UNSUCCESSFUL_OF_BATCH)
                .param("batchId", batchId)
                .query(JobRowMapper.INSTANCE)
                .list();
    }
}
