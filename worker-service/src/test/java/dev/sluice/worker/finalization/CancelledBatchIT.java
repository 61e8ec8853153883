package dev.sluice.worker.finalization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.common.BatchStatus;
import dev.sluice.common.JobStatus;
import dev.sluice.common.Queues;
import dev.sluice.db.batch.BatchRow;
import dev.sluice.db.file.ResultKind;
import dev.sluice.worker.Submissions.SubmittedBatch;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * A cancelled batch is settled by the finaliser once nothing of it runs any more, exactly once, with the same
 * files as a completed one; and a cancelled job's message never reaches the provider. The cancel itself is done
 * as the api-service does it: {@code cancelling} and its queued jobs {@code cancelled}, in one transaction.
 */
class CancelledBatchIT extends SettlementTest {

    @Autowired
    private TransactionTemplate transaction;

    @Autowired
    private AmqpAdmin amqp;

    @Test
    void aCancelledBatchWithNothingRunningIsSettledOnceWithItsResultFiles() {
        SubmittedBatch submitted =
                submissions.batch().chats("mistral/cancel-sweep", 4).store();
        List<String> ids = submitted.jobIds();
        finish(ids.get(0), true);
        finish(ids.get(1), false);

        assertThat(cancel(submitted)).isEqualTo(2);
        assertThat(finalizer.runOnce()).isEqualTo(1);

        BatchRow batch = batch(submitted);
        assertThat(batch.status()).isEqualTo(BatchStatus.CANCELLED);
        assertThat(batch.cancelledAt()).isNotNull();
        assertThat(batch.cancellingAt()).isNotNull();
        assertThat(batch.completedAt()).isNull();
        List<JsonNode> errors = assertSettled(submitted, batch, "batch_cancelled");
        assertThat(errors.subList(1, 3)).allSatisfy(line -> {
            assertThat(line.get("error").get("message").asString()).contains(submitted.batchId());
        });

        // Exactly once: a second sweep and a late job-end hook change nothing.
        assertThat(finalizer.runOnce()).isZero();
        finalizer.afterJobFinished(submitted.batchId());
        BatchRow again = batch(submitted);
        assertThat(again.cancelledAt()).isEqualTo(batch.cancelledAt());
        assertThat(again.outputFileId()).isEqualTo(batch.outputFileId());
        assertThat(again.errorFileId()).isEqualTo(batch.errorFileId());
    }

    @Test
    void aCancelledBatchWaitsForItsRunningJobAndIsSettledWhenItEnds() {
        SubmittedBatch submitted =
                submissions.batch().chats("mistral/cancel-running", 3).store();
        String running = submitted.jobIds().getFirst();
        Instant now = Instant.now();
        transitions.claim(running, "test-worker", Duration.ofSeconds(60)).orElseThrow();

        assertThat(cancel(submitted)).isEqualTo(2);
        assertThat(finalizer.runOnce()).isZero();
        assertThat(batch(submitted).status()).isEqualTo(BatchStatus.CANCELLING);

        assertThat(transitions.markSucceeded(running, "test-worker", ANSWER, Instant.now()))
                .isTrue();
        finalizer.afterJobFinished(submitted.batchId());

        BatchRow batch = batch(submitted);
        assertThat(batch.status()).isEqualTo(BatchStatus.CANCELLED);
        assertThat(batch.requestCompleted()).isEqualTo(1);
        assertThat(batch.requestFailed()).isEqualTo(2);
        assertThat(lines(submitted, ResultKind.OUTPUT)).hasSize(1);
        assertThat(lines(submitted, ResultKind.ERROR)).hasSize(2);
    }

    @Test
    void aJobRescuedAfterItsBatchWasCancelledDoesNotRunAgain() {
        SubmittedBatch submitted =
                submissions.batch().chats("mistral/cancel-rescued", 2).store();
        String running = submitted.jobIds().getFirst();
        transitions.claim(running, "dead-worker", Duration.ofSeconds(-1)).orElseThrow();
        assertThat(cancel(submitted)).isEqualTo(1);

        // The worker died: its lease lapses and the rescuer puts the job back in the queue.
        assertThat(transitions.requeueLapsed(5, 100)).isPositive();
        assertThat(job(submitted, running).status()).isEqualTo(JobStatus.QUEUED);

        assertThat(finalizer.runOnce()).isEqualTo(1);
        assertThat(job(submitted, running).status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(job(submitted, running).errorCode()).isEqualTo("batch_cancelled");
        assertThat(batch(submitted).status()).isEqualTo(BatchStatus.CANCELLED);
        assertThat(batch(submitted).requestFailed()).isEqualTo(2);
    }

    @Test
    void aCancelledJobsMessageIsDroppedWithoutAnUpstreamCall() {
        String model = "anthropic/claude-3-opus";
        SubmittedBatch cancelled = submissions.batch().chats(model, 3).store();
        assertThat(cancel(cancelled)).isEqualTo(3);
        cancelled.messages().forEach(submissions::publish);
        // Another tenant's job: the worker takes from both lanes, and the cancelled ones' lane ends empty.
        SubmittedBatch control = submissions.batch().chat(model, "still runs").submit();

        await().atMost(Duration.ofSeconds(30))
                .until(() -> batch(control).status() == BatchStatus.COMPLETED
                        && batch(control).requestCompleted() == 1
                        && readyMessages(model, cancelled.tenantId()) == 0);
        await().during(Duration.ofMillis(500))
                .atMost(Duration.ofSeconds(5))
                .until(() -> SIMULATOR.stats().model(model).requests() == 1);
        assertThat(cancelled.jobIds()).allSatisfy(id -> {
            assertThat(job(cancelled, id).status()).isEqualTo(JobStatus.CANCELLED);
            assertThat(job(cancelled, id).attempts()).isZero();
        });
        finalizer.runOnce();
        assertThat(batch(cancelled).status()).isEqualTo(BatchStatus.CANCELLED);
        assertThat(batch(cancelled).requestFailed()).isEqualTo(3);
    }

    /** What {@code POST /v1/batches/{id}/cancel} does; returns how many queued jobs it cancelled. */
    private int cancel(SubmittedBatch submitted) {
        Instant now = Instant.now();
        Integer cancelled = transaction.execute(status -> {
            assertThat(batchTransitions.tryStartCancelling(submitted.tenantId(), submitted.batchId(), now))
                    .isTrue();
            return transitions.cancelQueuedOfBatch(
                    submitted.batchId(),
                    "batch " + submitted.batchId() + " was cancelled before this request ran",
                    now);
        });
        return cancelled == null ? 0 : cancelled;
    }

    private long readyMessages(String model, String tenantId) {
        QueueInformation info = amqp.getQueueInfo(Queues.forLane(model, tenantId));
        return info == null ? 0 : info.getMessageCount();
    }
}
