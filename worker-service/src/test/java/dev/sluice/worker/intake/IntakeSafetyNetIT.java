package dev.sluice.worker.intake;

import static org.awaitility.Awaitility.await;

import dev.sluice.common.JobStatus;
import dev.sluice.db.lane.LaneKey;
import dev.sluice.db.lane.LaneRepository;
import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.WorkerIntegrationTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A lane that entered without ringing anyone (its notification missed, as while a worker's listening connection was
 * down; here its trigger is off for the entering transaction) is still found by the intake's quiet pass (2 s here;
 * the busy pass is an hour, so it is the quiet one that finds it).
 */
@TestPropertySource(properties = {"sluice.intake.discovery-interval=1h", "sluice.intake.quiet-interval=2s"})
class IntakeSafetyNetIT extends WorkerIntegrationTest {

    @Autowired
    private LaneRepository lanes;

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private TransactionTemplate transaction;

    @Test
    void aLaneThatEnteredUnannouncedIsFoundByTheQuietPass() {
        SubmittedBatch batch = submissions
                .batch()
                .chat("deepseek/deepseek-r1-distill-llama-70b", "missed")
                .store();
        batch.messages().forEach(submissions::publishOnly);
        transaction.executeWithoutResult(status -> {
            // Triggers off for this transaction only: the lane enters and nobody is rung.
            jdbc.sql("SET LOCAL session_replication_role = replica").update();
            lanes.enter(List.of(new LaneKey("deepseek/deepseek-r1-distill-llama-70b", batch.tenantId())));
        });

        await().atMost(Duration.ofSeconds(20))
                .until(() -> job(batch, batch.jobIds().getFirst()).status() == JobStatus.SUCCEEDED);
    }
}
