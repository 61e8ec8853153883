package dev.sluice.worker.pacing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.common.BatchStatus;
import dev.sluice.common.Limit;
import dev.sluice.db.job.JobRow;
import dev.sluice.db.model.ModelRepository;
import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.WorkerIntegrationTest;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class PriorityIT extends WorkerIntegrationTest {

    @Autowired
    ModelRepository models;

    @Autowired
    ModelLimits limits;

    @Test
    void aHigherPriorityJobOvertakesLowerOnesAlreadyWaiting() {
        String model = "qwen/qwen-2.5-72b-instruct";
        models.configure(model, List.of(Limit.parse("3/2s")), null, null, Instant.now());
        models.setPaused(model, true, Instant.now());
        await().atMost(Duration.ofSeconds(10)).until(() -> limits.paused(model));

        // Eight ordinary jobs wait in the queue first, then two urgent ones arrive behind them.
        SubmittedBatch ordinary = submissions.batch().chats(model, 8).submit();
        SubmittedBatch urgent = submissions.batch().priority(9).chats(model, 2).submit();
        models.setPaused(model, false, Instant.now());

        await().atMost(Duration.ofSeconds(30))
                .until(() -> batch(ordinary).status() == BatchStatus.COMPLETED
                        && batch(urgent).status() == BatchStatus.COMPLETED);

        List<JobRow> byStart = Stream.concat(
                        ordinary.jobIds().stream().map(id -> job(ordinary, id)),
                        urgent.jobIds().stream().map(id -> job(urgent, id)))
                .sorted(Comparator.comparing(JobRow::startedAt))
                .toList();
        // The first burst (3 per 2 s) takes both urgent jobs; FIFO order would have left them to the last.
        assertThat(byStart.subList(0, 3)).extracting(JobRow::priority).contains(9, 9);
        assertThat(byStart.subList(3, 10)).extracting(JobRow::priority).containsOnly(0);
        assertThat(maxInAnyWindow(model)).isLessThanOrEqualTo(3);
    }

    private static int maxInAnyWindow(String model) {
        return SIMULATOR.stats().model(model).maxInAnyWindow();
    }
}
