package dev.sluice.worker.finalization;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.BatchStatus;
import dev.sluice.db.batch.BatchRow;
import dev.sluice.db.file.FileRepository;
import dev.sluice.db.file.ResultKind;
import dev.sluice.db.job.Outcome;
import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.WorkerIntegrationTest;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The sweep that finishes what a dead finaliser left. Jobs here are finished by hand; no message is sent. */
class BatchFinalizerIT extends WorkerIntegrationTest {

    private static final Outcome ANSWER = new Outcome(200, "{\"object\":\"chat.completion\"}", null, null, 1, 2, 3, 10);

    @Autowired
    private BatchFinalizer finalizer;

    @Autowired
    private FileRepository files;

    @Autowired
    private JdbcClient jdbc;

    @Test
    void theSweepCompletesABatchWhoseLastJobsWorkerDiedBeforeFinalising() {
        SubmittedBatch submitted = finishedBatch("cohere/command-r");

        finalizer.runOnce();

        BatchRow batch = batch(submitted);
        assertThat(batch.status()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(batch.requestCompleted()).isEqualTo(1);
        assertThat(batch.outputFileId()).isNotNull();
        assertThat(batch.errorFileId()).isNull();
    }

    @Test
    void aSettledBatchsResultFileIsSizedAndTheSweepSizesOneItsFinaliserLeftUnsized() {
        SubmittedBatch submitted = finishedBatch("cohere/command-r-08-2024");
        finalizer.afterJobFinished(submitted.batchId());
        String output = batch(submitted).outputFileId();
        long rendered = files.writeResults(submitted.batchId(), ResultKind.OUTPUT, OutputStream.nullOutputStream());
        assertThat(rendered).isPositive();
        assertThat(bytes(submitted, output)).isEqualTo(rendered);

        // Unsized just after the batch settled: its finaliser is sizing it, and the sweep leaves it alone.
        jdbc.sql("UPDATE files SET bytes = NULL WHERE id = :id")
                .param("id", output)
                .update();
        finalizer.runOnce();
        assertThat(bytes(submitted, output)).isNull();

        // Still unsized long after: its finaliser died after settling the batch and before sizing the file.
        jdbc.sql("UPDATE files SET created_at = now() - interval '10 minutes' WHERE id = :id")
                .param("id", output)
                .update();
        finalizer.runOnce();

        assertThat(bytes(submitted, output)).isEqualTo(rendered);
    }

    @Test
    void theSweepFinishesABatchStuckInFinalizingOnceItIsStale() {
        SubmittedBatch submitted = finishedBatch("cohere/command-r-plus");
        // A finaliser won the batch ten minutes ago and died before completing it.
        assertThat(batchTransitions.tryStartFinalizing(
                        submitted.batchId(), Instant.now().minus(Duration.ofMinutes(10))))
                .isTrue();

        finalizer.runOnce();

        assertThat(batch(submitted).status()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(batch(submitted).usage().totalTokens()).isEqualTo(3);
    }

    @Test
    void aStaleFinaliserIsReplacedByOneSweepAtATime() {
        SubmittedBatch submitted = finishedBatch("cohere/command-r7b");
        Instant tenMinutesAgo = Instant.now().minus(Duration.ofMinutes(10));
        assertThat(batchTransitions.tryStartFinalizing(submitted.batchId(), tenMinutesAgo))
                .isTrue();
        Instant staleBefore = Instant.now().minus(Duration.ofMinutes(1));

        // Two sweeps find it stale at once: the first claims it, the second leaves it to the first.
        assertThat(batchTransitions.tryReplaceStaleFinalizer(submitted.batchId(), staleBefore, Instant.now()))
                .isTrue();
        assertThat(batchTransitions.tryReplaceStaleFinalizer(submitted.batchId(), staleBefore, Instant.now()))
                .isFalse();
        // Claimed just now, so the sweep's own look finds a live finaliser and leaves the batch alone.
        finalizer.runOnce();
        assertThat(batch(submitted).status()).isEqualTo(BatchStatus.FINALIZING);
    }

    @Test
    void theSweepLeavesAFreshFinaliserAlone() {
        SubmittedBatch submitted = finishedBatch("cohere/command-a");
        assertThat(batchTransitions.tryStartFinalizing(submitted.batchId(), Instant.now()))
                .isTrue();

        finalizer.runOnce();

        assertThat(batch(submitted).status()).isEqualTo(BatchStatus.FINALIZING);
    }

    private Long bytes(SubmittedBatch submitted, String fileId) {
        return apiReads.file(submitted.tenantId(), fileId).orElseThrow().bytes();
    }

    /** A one-job batch whose job succeeded but whose worker never finalised it. */
    private SubmittedBatch finishedBatch(String model) {
        SubmittedBatch submitted = submissions.batch().chat(model, "done").store();
        String jobId = submitted.jobIds().getFirst();
        Instant now = Instant.now();
        transitions.claim(jobId, "test-worker", Duration.ofSeconds(60)).orElseThrow();
        assertThat(transitions.markSucceeded(jobId, "test-worker", ANSWER, now)).isTrue();
        return submitted;
    }
}
