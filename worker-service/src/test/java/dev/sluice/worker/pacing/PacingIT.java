package dev.sluice.worker.pacing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.common.BatchStatus;
import dev.sluice.common.JobStatus;
import dev.sluice.simulator.stats.ModelStats;
import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.WorkerIntegrationTest;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PacingIT extends WorkerIntegrationTest {

    @Test
    void fifteenJobsAtFivePerTwoSecondsMeetNo429() {
        String model = "google/gemini-2.5-flash";
        Instant started = Instant.now();

        SubmittedBatch submitted = submissions.batch().chats(model, 15).submit();

        await().atMost(Duration.ofSeconds(30)).until(() -> batch(submitted).status() == BatchStatus.COMPLETED);
        Duration took = Duration.between(started, Instant.now());
        assertThat(submitted.jobIds()).allSatisfy(id -> {
            assertThat(job(submitted, id).status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(job(submitted, id).attempts()).isEqualTo(1);
        });
        ModelStats stats = SIMULATOR.stats().model(model);
        assertThat(stats.rateLimited()).isZero();
        assertThat(stats.accepted()).isEqualTo(15);
        assertThat(stats.maxInAnyWindow()).isLessThanOrEqualTo(5);
        // Three bursts of five, two windows (and margins) apart: paced, not merely lucky.
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(4_200));
    }
}
