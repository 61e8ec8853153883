package dev.sluice.worker.intake;

import static org.awaitility.Awaitility.await;

import dev.sluice.common.JobStatus;
import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.WorkerIntegrationTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * With the intake's pass all but stopped (an hour between passes, busy or quiet), a job is still picked up within
 * seconds: the lane that enters rings the worker (V25, {@link LaneBell}) and nothing waits for the pass.
 */
@TestPropertySource(properties = {"sluice.intake.discovery-interval=1h", "sluice.intake.quiet-interval=1h"})
class IntakeWakeUpIT extends WorkerIntegrationTest {

    @Test
    void aJobWhoseLaneEntersIsPickedUpOnTheBell() {
        SubmittedBatch batch =
                submissions.batch().chat("deepseek/deepseek-r1", "rung").submit();

        await().atMost(Duration.ofSeconds(15))
                .until(() -> job(batch, batch.jobIds().getFirst()).status() == JobStatus.SUCCEEDED);
    }
}
