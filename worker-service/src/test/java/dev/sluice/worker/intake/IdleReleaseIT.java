package dev.sluice.worker.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.common.JobStatus;
import dev.sluice.common.Queues;
import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.WorkerIntegrationTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * A model's dispatcher (its thread and broker channel) is released once the model has had no work for
 * {@code sluice.intake.idle-release}, with the lane queues it emptied, and starts again when a lane of the model
 * enters: the job still runs.
 */
@TestPropertySource(properties = "sluice.intake.idle-release=1s")
class IdleReleaseIT extends WorkerIntegrationTest {

    @Autowired
    ModelIntake intake;

    @Autowired
    AmqpAdmin amqp;

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
        // The dispatcher leaves the intake's map just before its emptied queues are deleted.
        await("the emptied lane's queue is deleted with the dispatcher")
                .atMost(Duration.ofSeconds(5))
                .until(() -> amqp.getQueueInfo(Queues.forLane(model, first.tenantId())) == null);

        SubmittedBatch second =
                submissions.batch().chat(model, "after the pause").submit();
        await("the dispatcher started again when the lane entered")
                .atMost(Duration.ofSeconds(10))
                .until(() -> intake.consumedModels().contains(model));
        awaitSucceeded(second);
        assertThat(job(second, second.jobIds().getFirst()).attempts()).isOne();
    }

    private void awaitSucceeded(SubmittedBatch batch) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> job(batch, batch.jobIds().getFirst()).status() == JobStatus.SUCCEEDED);
    }
}
