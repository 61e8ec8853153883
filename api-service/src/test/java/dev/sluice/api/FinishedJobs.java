package dev.sluice.api;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Moves jobs to finished states with plain SQL, standing in for the worker-service that does it
 * in production: {@code finish(jdbc).succeeded(batchId, 1)}.
 */
final class FinishedJobs {

    private final JdbcClient jdbc;

    private FinishedJobs(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    static FinishedJobs finish(JdbcClient jdbc) {
        return new FinishedJobs(jdbc);
    }

    FinishedJobs succeeded(String batchId, int line) {
        return update(batchId, line, """
                UPDATE jobs SET status = 'succeeded', attempts = 1, started_at = now(), completed_at = now(),
                       response_status = 200, response_body = '{"id":"chatcmpl-1","choices":[]}',
                       prompt_tokens = 3, completion_tokens = 5, total_tokens = 8, latency_ms = 900
                 WHERE batch_id = :batchId AND line_no = :line
                """);
    }

    FinishedJobs failed(String batchId, int line) {
        return update(batchId, line, """
                UPDATE jobs SET status = 'failed', attempts = 1, started_at = now(), completed_at = now(),
                       response_status = 400, response_body = 'upstream said no'
                 WHERE batch_id = :batchId AND line_no = :line
                """);
    }

    FinishedJobs expired(String batchId, int line) {
        return update(batchId, line, """
                UPDATE jobs SET status = 'expired', completed_at = now(), error_code = 'batch_expired',
                       error_message = 'not run within the completion window'
                 WHERE batch_id = :batchId AND line_no = :line
                """);
    }

    FinishedJobs running(String batchId, int line) {
        return update(batchId, line, """
                UPDATE jobs SET status = 'running', attempts = 1, started_at = now(), lease_owner = 'test-worker',
                       lease_expires_at = now() + interval '1 minute'
                 WHERE batch_id = :batchId AND line_no = :line
                """);
    }

    private FinishedJobs update(String batchId, int line, String sql) {
        int updated =
                jdbc.sql(sql).param("batchId", batchId).param("line", line).update();
        if (updated != 1) {
            throw new IllegalStateException("no job at line " + line + " of " + batchId);
        }
        return this;
    }
}
