package dev.sluice.worker.rescue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.common.JobStatus;
import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.WorkerIntegrationTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

class LeaseRescuerIT extends WorkerIntegrationTest {

    @Autowired
    private LeaseRescuer rescuer;

    @Autowired
    private JdbcClient jdbc;

    @Test
    void aJobWhoseLeaseExpiredGoesBackToTheQueueForTheSweeperToRepublish() {
        SubmittedBatch submitted = submissions.batch().chat("deepseek/deepseek-chat", "orphaned").store();
        String jobId = submitted.jobIds().getFirst();
        // A worker claimed it and died: its lease ran out a second ago.
        Instant now = Instant.now();
        assertThat(jobs.claim(jobId, "dead-worker", now.minusSeconds(1), now)).isPresent();
        jobs.markPublished(List.of(jobId), now);

        assertThat(rescuer.runOnce()).isGreaterThanOrEqualTo(1);

        assertThat(job(submitted, jobId).status()).isEqualTo(JobStatus.QUEUED);
        assertThat(jdbc.sql("SELECT published_at IS NULL AND lease_owner IS NULL FROM jobs WHERE id = :id")
                .param("id", jobId).query(Boolean.class).single()).isTrue();
        assertThat(rescuer.runOnce()).as("nothing left to rescue").isZero();

        // The api's sweeper publishes it again; a live worker runs it.
        submissions.publish(submitted.messages().getFirst());
        await().atMost(Duration.ofSeconds(15))
                .until(() -> job(submitted, jobId).status() == JobStatus.SUCCEEDED);
    }

    @Test
    void aLiveLeaseIsLeftAlone() {
        SubmittedBatch submitted = submissions.batch().chat("deepseek/deepseek-v3", "busy").store();
        String jobId = submitted.jobIds().getFirst();
        Instant now = Instant.now();
        jobs.claim(jobId, "live-worker", now.plusSeconds(60), now);

        rescuer.runOnce();

        assertThat(job(submitted, jobId).status()).isEqualTo(JobStatus.RUNNING);
    }
}
