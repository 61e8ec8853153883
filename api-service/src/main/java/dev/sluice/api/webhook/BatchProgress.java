package dev.sluice.api.webhook;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.NOT_REQUIRED;

import dev.sluice.db.batch.BatchRow;
import dev.sluice.db.batch.JobCounts;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * What one event of the progress stream says: the batch's status and its request counts, as in the batch object
 * (live while it runs, final once it is settled).
 *
 * @param id            the batch
 * @param object        always {@code batch.progress}
 * @param status        the batch's status
 * @param requestCounts its counts
 */
record BatchProgress(String id, String object, String status, RequestCounts requestCounts) {

    /**
     * Request counts; the last four only while the batch runs.
     *
     * @param total     lines in the batch
     * @param completed succeeded
     * @param failed    did not succeed
     * @param queued    waiting for a worker
     * @param running   being run
     * @param cancelled cancelled before they ran
     * @param expired   not run within the completion window
     */
    record RequestCounts(
            int total,
            int completed,
            int failed,
            @Schema(requiredMode = NOT_REQUIRED) Integer queued,
            @Schema(requiredMode = NOT_REQUIRED) Integer running,
            @Schema(requiredMode = NOT_REQUIRED) Integer cancelled,
            @Schema(requiredMode = NOT_REQUIRED) Integer expired) {}

    /** The batch's progress; {@code live} holds its jobs' counts while it is not settled. */
    static BatchProgress of(BatchRow row, JobCounts live) {
        RequestCounts counts = live == null
                ? new RequestCounts(
                        row.requestTotal(),
                        row.requestCompleted(),
                        row.requestFailed() == null ? 0 : row.requestFailed(),
                        null,
                        null,
                        null,
                        null)
                : new RequestCounts(
                        row.requestTotal(),
                        live.succeeded(),
                        live.unsuccessful(),
                        live.queued(),
                        live.running(),
                        live.cancelled(),
                        live.expired());
        return new BatchProgress(row.id(), "batch.progress", row.status().wire(), counts);
    }

    /** Whether the batch is settled: terminal, with its final counts stored. */
    static boolean settled(BatchRow row) {
        return row.status().isTerminal() && row.requestCompleted() != null;
    }
}
