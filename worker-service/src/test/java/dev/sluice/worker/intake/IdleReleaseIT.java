package dev.sluice.worker.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.common.JobStatus;
import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.WorkerIntegrationTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * A model's dispatcher (its thread and broker channel) is released once the model has had no work for
 * {@code sluice.intake.idle-release}, and starts again when a job of the model is queued: the job still runs.
 */
@TestPropertySource(properties = "sluice.intake.idle-release=1s")
class IdleReleaseIT extends WorkerIntegrationTest {

    @Autowired
    ModelIntake intake;

    @Test
    void anIdleDispatcherIsReleasedAndStartsAgainWhenWorkArrives() {
        String model = "amazon/nova-lite-v1";
        SubmittedBatch first =
                submissions.batch().chat(model, "before the pause").submit();
        awaitSucceeded(first);
        assertThat(intake.consumedModels()).as("dispatching after its job").contains(model);

        await("the idle dispatcher released")
                .atMost(Duration.ofSeconds(15))
                .until(() -> !intake.consumedModels().contains(model));

        // As the api-service does: the job is stored (queued and due) before its message is published.
        SubmittedBatch second =
                submissions.batch().chat(model, "after the pause").store();
        await("the dispatcher started again for the queued job")
                .atMost(Duration.ofSeconds(10))
                .until(() -> intake.consumedModels().contains(model));
        second.messages().forEach(submissions::publish);
        awaitSucceeded(second);
        assertThat(job(second, second.jobIds().getFirst()).attempts()).isOne();
    }

    private void awaitSucceeded(SubmittedBatch batch) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> job(batch, batch.jobIds().getFirst()).status() == JobStatus.SUCCEEDED);
    }
}
