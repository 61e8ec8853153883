package dev.sluice.db.batch;

import dev.sluice.db.Timestamps;
import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Every statement that changes a batch's {@code status}, and no other: each is named {@code FROM_TO_TO} and is one
 * UPDATE conditional on the current status, so two workers racing to finalise the same batch cannot both win. A
 * batch is stored directly {@code in_progress} ({@link BatchRepository#insert}: its input was checked before), so
 * {@code validating} and {@code failed} are never entered. {@code BatchStatus.canMoveTo} lists exactly the moves
 * made here ({@code BatchTransitionsContractIT} checks both ways).
 */
@Repository
public class BatchTransitions {

    /** Wins only when no job of the batch is left unfinished and nobody else started finalising. */
    private static final String IN_PROGRESS_TO_FINALIZING = """
            UPDATE batches SET status = 'finalizing', finalizing_at = :now
             WHERE id = :id AND status = 'in_progress'
               AND NOT EXISTS (SELECT 1 FROM jobs WHERE batch_id = :id AND status IN ('queued', 'running'))
            """;

    /**
     * A finaliser presumed dead (its batch {@code finalizing} since before {@code :staleBefore}) is replaced by the
     * caller, which claims the batch by moving {@code finalizing_at}: one replacement per stale period, however many
     * sweeps look. Not a move between states.
     */
    private static final String STALE_FINALIZER_REPLACED = """
            UPDATE batches SET finalizing_at = :now
             WHERE id = :id AND status = 'finalizing' AND finalizing_at < :staleBefore
            """;

    /**
     * The client's cancel: only an {@code in_progress} batch moves; call in the transaction that cancels its
     * queued jobs, so that no job of a {@code cancelling} batch is ever claimed afterwards.
     */
    private static final String IN_PROGRESS_TO_CANCELLING = """
            UPDATE batches SET status = 'cancelling', cancelling_at = :now
             WHERE id = :id AND tenant_id = :tenantId AND status = 'in_progress'
            """;

    /** What a settled batch records besides its status: its final counts, usage and result files. */
    private static final String SETTLED_OUTCOME = """
                   output_file_id = :outputFileId, error_file_id = :errorFileId,
                   request_completed = :completed, request_failed = :failed,
                   prompt_tokens = :promptTokens, completion_tokens = :completionTokens, total_tokens = :totalTokens
            """;

    private static final String FINALIZING_TO_COMPLETED = """
            UPDATE batches
               SET status = 'completed', completed_at = :now,
            """ + SETTLED_OUTCOME + """
             WHERE id = :id AND status = 'finalizing'
            """;

    /**
     * The end of a {@code finalizing} batch whose completion window closed (on the database's clock) before all its
     * jobs ran; wins only once, and never for a batch whose window is still open.
     */
    private static final String FINALIZING_TO_EXPIRED = """
            UPDATE batches
               SET status = 'expired', expired_at = :now,
            """ + SETTLED_OUTCOME + """
             WHERE id = :id AND status = 'finalizing' AND expires_at <= now()
            """;

    /** Wins only for a {@code cancelling} batch whose running jobs have all finished, and only once. */
    private static final String CANCELLING_TO_CANCELLED = """
            UPDATE batches
               SET status = 'cancelled', cancelled_at = :now,
            """ + SETTLED_OUTCOME + """
             WHERE id = :id AND status = 'cancelling'
               AND NOT EXISTS (SELECT 1 FROM jobs WHERE batch_id = :id AND status IN ('queued', 'running'))
            """;

    private final JdbcClient jdbc;

    public BatchTransitions(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Moves an {@code in_progress} batch whose jobs are all finished to {@code finalizing}; false if it is not the caller's to do. */
    public boolean tryStartFinalizing(String id, Instant now) {
        return jdbc.sql(IN_PROGRESS_TO_FINALIZING)
                        .param("id", id)
                        .param("now", Timestamps.bind(now))
                        .update()
                == 1;
    }

    /**
     * Claims a {@code finalizing} batch whose finaliser started before {@code staleBefore} (presumed dead) for the
     * caller to finalise; false if it is not stale (someone else claimed it meanwhile) or not finalizing.
     */
    public boolean tryReplaceStaleFinalizer(String id, Instant staleBefore, Instant now) {
        return jdbc.sql(STALE_FINALIZER_REPLACED)
                        .param("id", id)
                        .param("staleBefore", Timestamps.bind(staleBefore))
                        .param("now", Timestamps.bind(now))
                        .update()
                == 1;
    }

    /** Moves the tenant's {@code in_progress} batch to {@code cancelling}; false if it was in any other state (or absent). */
    public boolean tryStartCancelling(String tenantId, String id, Instant now) {
        return jdbc.sql(IN_PROGRESS_TO_CANCELLING)
                        .param("id", id)
                        .param("tenantId", tenantId)
                        .param("now", Timestamps.bind(now))
                        .update()
                == 1;
    }

    /** Records the outcome of a {@code finalizing} batch and marks it {@code completed}; false if it was not finalizing. */
    public boolean markCompleted(
            String id, JobCounts counts, Usage usage, String outputFileId, String errorFileId, Instant now) {
        return settle(FINALIZING_TO_COMPLETED, id, counts, usage, outputFileId, errorFileId, now);
    }

    /**
     * Records the outcome of a {@code finalizing} batch whose completion window has closed and marks it
     * {@code expired}; false if it was not finalizing, its window is still open on the database's clock, or someone
     * else did it.
     */
    public boolean markExpired(
            String id, JobCounts counts, Usage usage, String outputFileId, String errorFileId, Instant now) {
        return settle(FINALIZING_TO_EXPIRED, id, counts, usage, outputFileId, errorFileId, now);
    }

    /**
     * Records the outcome of a {@code cancelling} batch with no unfinished job left and marks it
     * {@code cancelled}; false if it was not cancelling, still had work running, or someone else did it.
     */
    public boolean markCancelled(
            String id, JobCounts counts, Usage usage, String outputFileId, String errorFileId, Instant now) {
        return settle(CANCELLING_TO_CANCELLED, id, counts, usage, outputFileId, errorFileId, now);
    }

    private boolean settle(
            String sql,
            String id,
            JobCounts counts,
            Usage usage,
            String outputFileId,
            String errorFileId,
            Instant now) {
        return jdbc.sql(sql)
                        .param("id", id)
                        .param("now", Timestamps.bind(now))
                        .param("outputFileId", outputFileId)
                        .param("errorFileId", errorFileId)
                        .param("completed", counts.succeeded())
                        .param("failed", counts.unsuccessful())
                        .param("promptTokens", usage.promptTokens())
                        .param("completionTokens", usage.completionTokens())
                        .param("totalTokens", usage.totalTokens())
                        .update()
                == 1;
    }
}
