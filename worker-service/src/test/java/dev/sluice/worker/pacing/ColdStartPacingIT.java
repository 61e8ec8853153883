package dev.sluice.worker.pacing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.common.BatchStatus;
import dev.sluice.common.JobStatus;
import dev.sluice.simulator.Simulator;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.simulator.stats.ModelStats;
import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.WorkerIntegrationTest;
import dev.sluice.worker.intake.ModelIntake;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A cold start at 15 per 6 s under the default margin (100 ms): two workers just started — new contexts, new HTTP
 * clients with no connection yet — against a provider just started, the first burst of the model going out on new
 * connections from processes that have not sent anything before. The margin covers only a request that left on
 * time; one that left late is charged its lateness (docs/pacing.md, "the margin"). The provider must see no 429 and
 * never more than 15 in any 6 s, while the batch takes no more than a few hundred milliseconds per window beyond
 * the ideal.
 *
 * <p>The shared test context's worker does not take part (its intake is stopped meanwhile): it is warm, and it runs
 * with the 250 ms margin of the other integration tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ColdStartPacingIT extends WorkerIntegrationTest {

    private static final String MODEL = "meta-llama/llama-3.1-405b-instruct";
    private static final int N = 15;
    private static final Duration W = Duration.ofSeconds(6);
    private static final int REQUESTS = 45;

    @Autowired
    private ModelIntake sharedIntake;

    private Simulator provider;
    private Worker first;
    private Worker second;

    @BeforeAll
    void startColdWorkersAgainstAColdProvider() {
        sharedIntake.stop();
        // The seed provider's latency, shortened: answers overlap the next grants as they would in production.
        provider = Simulator.start(SimulatorConfig.forTests()
                .withLimit(N + "/" + W.toSeconds() + "s")
                .withLatency(Duration.ofMillis(200))
                .withJitter(Duration.ofMillis(100)));
        String[] coldDefaults = {"sluice.pacing.safety-margin=100ms", "sluice.default-limit=15/6s"};
        first = Worker.start("cold-1", provider.baseUrl(), coldDefaults);
        second = Worker.start("cold-2", provider.baseUrl(), coldDefaults);
    }

    @AfterAll
    void stopThem() {
        for (AutoCloseable closing : new AutoCloseable[] {first, second, provider}) {
            try {
                if (closing != null) {
                    closing.close();
                }
            } catch (Exception e) {
                // Best effort: the next test class gets a database and a simulator of its own either way.
            }
        }
        sharedIntake.start();
    }

    @Test
    void aColdStartAtFifteenPerSixSecondsMeetsNo429AndLosesLittleToTheMargin() {
        Instant started = Instant.now();

        SubmittedBatch submitted = submissions.batch().chats(MODEL, REQUESTS).submit();

        await().atMost(Duration.ofSeconds(60)).until(() -> batch(submitted).status() == BatchStatus.COMPLETED);
        Duration took = Duration.between(started, Instant.now());
        assertThat(submitted.jobIds()).allSatisfy(id -> {
            assertThat(job(submitted, id).status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(job(submitted, id).attempts()).isEqualTo(1);
        });
        ModelStats stats = provider.stats().model(MODEL);
        assertThat(stats.rateLimited()).as("429s from a cold start").isZero();
        assertThat(stats.accepted()).isEqualTo(REQUESTS);
        assertThat(stats.maxInAnyWindow()).isLessThanOrEqualTo(N);
        assertThat(first.attempts(MODEL) + second.attempts(MODEL)).isEqualTo(REQUESTS);
        // Paced: three bursts, each at least a window after the one before.
        assertThat(took).isGreaterThanOrEqualTo(W.multipliedBy(REQUESTS / N - 1));
        // And not paced at the 2 s ceiling of a widened margin: two window steps of W + at most ~1 s of margin,
        // charged lateness and dispatch on a busy 2-core machine, plus the last answers (at most 0.3 s).
        assertThat(took)
                .isLessThan(W.plusSeconds(1).multipliedBy(REQUESTS / N - 1).plusSeconds(2));
    }
}
