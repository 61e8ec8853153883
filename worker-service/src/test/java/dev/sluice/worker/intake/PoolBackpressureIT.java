package dev.sluice.worker.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.common.BatchStatus;
import dev.sluice.simulator.Simulator;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.simulator.stats.ModelStats;
import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.WorkerIntegrationTest;
import dev.sluice.worker.execution.DatabaseTurns;
import dev.sluice.worker.pacing.Worker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A worker never takes more work to the database than its connection pool serves. A worker with a pool of 4
 * connections (2 of them kept for its loops, so 2 jobs at the database at once) and 32 jobs in flight drains 5,000
 * jobs from a provider that answers at once and does not limit them: every job succeeds on its first attempt, none is
 * rescued (the rescuer runs every second, leases last 20 s), and no connection is ever waited for past the pool's
 * 10 s timeout.
 *
 * <p>The shared context's worker stands aside meanwhile (its intake is stopped), so the worker started here runs
 * the jobs, against a simulator of its own.
 */
class PoolBackpressureIT extends WorkerIntegrationTest {

    private static final String MODEL = "anthropic/claude-3-opus";
    private static final int JOBS = 5_000;

    @Autowired
    private ModelIntake sharedIntake;

    @Autowired
    private JdbcClient jdbc;

    @Test
    void aWorkerWithFourConnectionsRunsFiveThousandInstantJobsWithoutRescuesOrPoolTimeouts() throws Exception {
        sharedIntake.stop();
        try (Simulator provider = Simulator.start(SimulatorConfig.forTests().withLimit("100000/1s"));
                Worker worker = Worker.start(
                        "pool-of-four",
                        provider.baseUrl(),
                        "sluice.database.pool-size=4",
                        "sluice.database.reserved-connections=2",
                        "sluice.intake.max-in-flight=32",
                        "spring.datasource.hikari.connection-timeout=10000",
                        "sluice.default-limit=100000/1s",
                        "sluice.lease.duration=20s",
                        "sluice.rescue.interval=1s",
                        "sluice.finalization.interval=2s")) {
            assertThat(worker.bean(JobSlots.class).capacity()).isEqualTo(32);
            assertThat(worker.bean(DatabaseTurns.class).turns()).isEqualTo(2);

            SubmittedBatch batch = submissions.batch().chats(MODEL, JOBS).submit();

            await().atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> batch(batch).status() == BatchStatus.COMPLETED);

            assertThat(countJobs(batch, "status = 'succeeded' AND attempts = 1"))
                    .isEqualTo(JOBS);
            assertThat(countJobs(batch, "status = 'failed'")).isZero();
            assertThat(countJobs(batch, "rescued_at IS NOT NULL")).isZero();

            MeterRegistry meters = worker.bean(MeterRegistry.class);
            assertThat(meters.find("hikaricp.connections.max").gauges())
                    .singleElement()
                    .satisfies(max -> assertThat(max.value()).isEqualTo(4));
            assertThat(meters.find("hikaricp.connections.timeout").counters().stream()
                            .mapToDouble(Counter::count)
                            .sum())
                    .isZero();

            ModelStats calls = provider.stats().model(MODEL);
            // Any other worker of this JVM still running (another test class's context) calls the shared
            // simulator, paced at 5 per 2 s: this worker made nearly all the calls, and never more than 32 at once.
            assertThat(calls.requests()).isGreaterThan(JOBS * 9L / 10).isEqualTo(calls.answered());
            assertThat(calls.rateLimited()).isZero();
            assertThat(calls.maxConcurrency()).isLessThanOrEqualTo(32);
        } finally {
            sharedIntake.start();
        }
    }

    private int countJobs(SubmittedBatch batch, String condition) {
        return jdbc.sql("SELECT count(*) FROM jobs WHERE batch_id = :batch AND " + condition)
                .param("batch", batch.batchId())
                .query(Integer.class)
                .single();
    }
}
