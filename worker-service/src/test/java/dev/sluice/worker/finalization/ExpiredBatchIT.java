package dev.sluice.worker.finalization;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.BatchStatus;
import dev.sluice.common.JobStatus;
import dev.sluice.db.batch.BatchRow;
import dev.sluice.db.file.ResultKind;
import dev.sluice.worker.Submissions.SubmittedBatch;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A batch whose completion window closed: the finalisation sweep expires its queued jobs, waits for its running
 * ones, and settles it {@code expired} exactly once, keeping its finished results; a batch whose window is
 * still open is left alone.
 */
class ExpiredBatchIT extends SettlementTest {

    @Test
    void aBatchPastItsWindowExpiresItsQueuedJobsAndKeepsItsFinishedOnes() {
        SubmittedBatch submitted = submissions
                .batch()
                .chats("mistral/expire-sweep", 4)
                .expiresAt(Instant.now().minusSeconds(60))
                .store();
        List<String> ids = submitted.jobIds();
        finish(ids.get(0), true);
        finish(ids.get(1), false);

        assertThat(finalizer.runOnce()).isEqualTo(1);

        assertThat(ids.subList(2, 4)).allSatisfy(id -> {
            assertThat(job(submitted, id).status()).isEqualTo(JobStatus.EXPIRED);
            assertThat(job(submitted, id).errorCode()).isEqualTo("batch_expired");
            assertThat(job(submitted, id).completedAt()).isNotNull();
            assertThat(job(submitted, id).attempts()).isZero();
        });
        BatchRow batch = batch(submitted);
        assertThat(batch.status()).isEqualTo(BatchStatus.EXPIRED);
        assertThat(batch.expiredAt()).isNotNull();
        assertThat(batch.completedAt()).isNull();
        List<JsonNode> errors = assertSettled(submitted, batch, "batch_expired");
        assertThat(errors.subList(1, 3)).allSatisfy(line -> {
            assertThat(line.get("error").get("message").asString())
                    .contains(submitted.batchId())
                    .contains("completion window 24h");
        });

        // Exactly once: a second sweep and a late job-end hook change nothing.
        Instant expiredJobAt = job(submitted, ids.get(2)).completedAt();
        assertThat(finalizer.runOnce()).isZero();
        finalizer.afterJobFinished(submitted.batchId());
        BatchRow again = batch(submitted);
        assertThat(again.status()).isEqualTo(BatchStatus.EXPIRED);
        assertThat(again.expiredAt()).isEqualTo(batch.expiredAt());
        assertThat(again.outputFileId()).isEqualTo(batch.outputFileId());
        assertThat(again.errorFileId()).isEqualTo(batch.errorFileId());
        assertThat(again.requestFailed()).isEqualTo(3);
        assertThat(job(submitted, ids.get(2)).completedAt()).isEqualTo(expiredJobAt);
    }

    @Test
    void aBatchWhoseWindowClosedWhileAJobRanWaitsForItAndThenExpires() {
        SubmittedBatch submitted = submissions
                .batch()
                .chats("mistral/expire-running", 3)
                .expiresAt(Instant.now().minusSeconds(60))
                .store();
        String running = submitted.jobIds().getFirst();
        Instant now = Instant.now();
        transitions.claim(running, "test-worker", Duration.ofSeconds(60)).orElseThrow();

        assertThat(finalizer.runOnce()).isZero();
        assertThat(batch(submitted).status()).isEqualTo(BatchStatus.IN_PROGRESS);
        assertThat(job(submitted, running).status()).isEqualTo(JobStatus.RUNNING);
        assertThat(submitted.jobIds().subList(1, 3))
                .allSatisfy(id -> assertThat(job(submitted, id).status()).isEqualTo(JobStatus.EXPIRED));

        assertThat(transitions.markSucceeded(running, "test-worker", ANSWER, Instant.now()))
                .isTrue();
        finalizer.afterJobFinished(submitted.batchId());

        BatchRow batch = batch(submitted);
        assertThat(batch.status()).isEqualTo(BatchStatus.EXPIRED);
        assertThat(batch.expiredAt()).isNotNull();
        assertThat(batch.requestCompleted()).isEqualTo(1);
        assertThat(batch.requestFailed()).isEqualTo(2);
        assertThat(lines(submitted, ResultKind.OUTPUT)).hasSize(1);
        assertThat(lines(submitted, ResultKind.ERROR)).hasSize(2);
    }

    @Test
    void aJobRescuedAfterTheWindowClosedExpiresInsteadOfRunningAgain() {
        SubmittedBatch submitted = submissions
                .batch()
                .chats("mistral/expire-rescued", 2)
                .expiresAt(Instant.now().minusSeconds(60))
                .store();
        String running = submitted.jobIds().getFirst();
        transitions.claim(running, "dead-worker", Duration.ofSeconds(-1)).orElseThrow();
        assertThat(finalizer.runOnce()).isZero();

        // The worker died: its lease lapses and the rescuer puts the job back in the queue.
        assertThat(transitions.requeueLapsed(5, 100)).isPositive();
        assertThat(job(submitted, running).status()).isEqualTo(JobStatus.QUEUED);

        assertThat(finalizer.runOnce()).isEqualTo(1);
        assertThat(job(submitted, running).status()).isEqualTo(JobStatus.EXPIRED);
        assertThat(job(submitted, running).errorCode()).isEqualTo("batch_expired");
        assertThat(batch(submitted).status()).isEqualTo(BatchStatus.EXPIRED);
        assertThat(batch(submitted).requestCompleted()).isZero();
        assertThat(batch(submitted).requestFailed()).isEqualTo(2);
    }

    @Test
    void aBatchWhoseWindowIsStillOpenIsLeftAlone() {
        SubmittedBatch submitted =
                submissions.batch().chats("mistral/expire-open", 2).store();
        finish(submitted.jobIds().getFirst(), true);

        finalizer.runOnce();

        BatchRow batch = batch(submitted);
        assertThat(batch.status()).isEqualTo(BatchStatus.IN_PROGRESS);
        assertThat(batch.expiredAt()).isNull();
        assertThat(job(submitted, submitted.jobIds().get(1)).status()).isEqualTo(JobStatus.QUEUED);
        assertThat(job(submitted, submitted.jobIds().get(1)).errorCode()).isNull();
    }
}
