package dev.sluice.worker.rescue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.common.BatchStatus;
import dev.sluice.common.JobMessage;
import dev.sluice.common.JobStatus;
import dev.sluice.db.batch.BatchRow;
import dev.sluice.db.file.FileRepository;
import dev.sluice.db.file.ResultKind;
import dev.sluice.db.job.JobRow;
import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.WorkerIntegrationTest;
import dev.sluice.worker.WorkerProperties;
import dev.sluice.worker.finalization.BatchFinalizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

class LeaseRescuerIT extends WorkerIntegrationTest {

    /**
     * What a claim leaves behind when its worker dies mid-call: the job running under another worker's claim on
     * its {@code attempts}-th attempt, with a lease that ends {@code leaseLeft} from now on the database's clock.
     */
    static final String RUNNING_UNDER_ANOTHER_CLAIM = """
            UPDATE jobs
               SET status = 'running', attempts = :attempts, lease_owner = 'worker-elsewhere/claim',
                   lease_expires_at = now() + :leaseLeftMillis * interval '1 millisecond', started_at = now()
             WHERE id = :id AND status = 'queued'
            """;

    @Autowired
    private LeaseRescuer rescuer;

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private BatchFinalizer finalizer;

    @Autowired
    private FileRepository files;

    @Autowired
    private WorkerProperties properties;

    @Test
    void aJobWhoseLeaseLapsedGoesBackToTheQueueForTheSweeperToRepublish() {
        SubmittedBatch submitted =
                submissions.batch().chat("deepseek/deepseek-chat", "orphaned").store();
        String jobId = submitted.jobIds().getFirst();
        jobs.markPublished(List.of(jobId));
        // A worker claimed it and died: its lease lapsed a second ago.
        runningUnderAnotherClaim(jobId, 1, Duration.ofSeconds(-1));

        assertThat(rescuer.runOnce()).isGreaterThanOrEqualTo(1);

        assertThat(job(submitted, jobId).status()).isEqualTo(JobStatus.QUEUED);
        assertThat(jdbc.sql("SELECT lease_owner IS NULL AND rescued_at IS NOT NULL FROM jobs WHERE id = :id")
                        .param("id", jobId)
                        .query(Boolean.class)
                        .single())
                .isTrue();
        assertThat(jobs.unpublishedDue(Instant.now().plus(Duration.ofDays(1)), Instant.now(), 1000))
                .as("the api's sweeper publishes it again")
                .extracting(JobMessage::jobId)
                .contains(jobId);
        assertThat(rescuer.runOnce()).as("nothing left to rescue").isZero();

        submissions.publish(submitted.messages().getFirst());
        await().atMost(Duration.ofSeconds(15)).until(() -> job(submitted, jobId).status() == JobStatus.SUCCEEDED);
    }

    @Test
    void aLiveLeaseIsLeftAlone() {
        SubmittedBatch submitted =
                submissions.batch().chat("deepseek/deepseek-v3", "busy").store();
        String jobId = submitted.jobIds().getFirst();
        runningUnderAnotherClaim(jobId, 1, Duration.ofSeconds(60));

        rescuer.runOnce();

        assertThat(job(submitted, jobId).status()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void aJobWhoseWorkerDiedOnItsLastAttemptFailsAsWorkerLostAndItsBatchCompletes() {
        SubmittedBatch submitted = submissions
                .batch()
                .chat("deepseek/worker-killer", "kills its worker")
                .store();
        String jobId = submitted.jobIds().getFirst();
        int maxAttempts = properties.retry().maxAttempts();
        runningUnderAnotherClaim(jobId, maxAttempts, Duration.ofSeconds(-1));

        assertThat(rescuer.runOnce()).isGreaterThanOrEqualTo(1);
        finalizer.runOnce();

        JobRow job = job(submitted, jobId);
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.errorCode()).isEqualTo("worker_lost");
        assertThat(job.attempts()).isEqualTo(maxAttempts);
        BatchRow batch = batch(submitted);
        assertThat(batch.status()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(batch.requestCompleted()).isZero();
        assertThat(batch.requestFailed()).isEqualTo(1);
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        files.writeResults(submitted.batchId(), ResultKind.ERROR, errors);
        assertThat(errors.toString(StandardCharsets.UTF_8)).contains("\"code\":\"worker_lost\"");
    }

    private void runningUnderAnotherClaim(String jobId, int attempts, Duration leaseLeft) {
        assertThat(jdbc.sql(RUNNING_UNDER_ANOTHER_CLAIM)
                        .param("id", jobId)
                        .param("attempts", attempts)
                        .param("leaseLeftMillis", leaseLeft.toMillis())
                        .update())
                .isEqualTo(1);
    }
}
