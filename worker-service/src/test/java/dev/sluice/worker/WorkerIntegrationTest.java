package dev.sluice.worker;

import dev.sluice.db.batch.BatchRepository;
import dev.sluice.db.batch.BatchRow;
import dev.sluice.db.batch.BatchTransitions;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.job.JobRow;
import dev.sluice.db.job.JobTransitions;
import dev.sluice.simulator.Simulator;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.testsupport.TestInfrastructure;
import dev.sluice.testsupport.TestSecrets;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The worker against real PostgreSQL and RabbitMQ ({@link TestInfrastructure}) and the upstream simulator
 * over HTTP. Every integration test shares this one context and one simulator, so each test uses models of
 * its own: pacers, queues and the simulator's budgets are all per model.
 *
 * <p>The simulator admits 5 requests per 2 s per model, and so does the worker's default limit. The api-service
 * is not here: tests store batches and publish messages themselves ({@link Submissions}), read what it would show
 * with {@link ApiReads}, and the context runs
 * the migrations the api-service would have run. The sweeps are set to an hour, so tests drive them with
 * {@code runOnce()}.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {
            "spring.flyway.enabled=true",
            "sluice.default-limit=5/2s",
            "sluice.pacing.safety-margin=250ms",
            "sluice.upstream.read-timeout=10s",
            // Small enough that a test can make the provider answer more (RetryIT), far above any other answer.
            "sluice.upstream.max-response-size=" + WorkerIntegrationTest.MAX_RESPONSE_SIZE,
            "sluice.retry.initial-backoff=100ms",
            "sluice.retry.max-backoff=200ms",
            "sluice.intake.discovery-interval=200ms",
            "sluice.intake.quiet-interval=200ms",
            "sluice.finalization.interval=1h",
            "sluice.rescue.interval=1h",
            "sluice.webhook.interval=1h",
            // The tests drive the outbox with runOnce(): announcements must not run it behind their backs.
            "sluice.webhook.listen=false",
            "sluice.webhook.allow-private=true",
            "sluice.webhook.timeout=2s",
            "sluice.webhook.retry-schedule=200ms,200ms,200ms",
            "sluice.secrets.encryption-key=" + TestSecrets.ENCRYPTION_KEY
        })
@Import({Submissions.class, ApiReads.class})
public abstract class WorkerIntegrationTest {

    /** {@code sluice.upstream.max-response-size} in these tests. */
    protected static final String MAX_RESPONSE_SIZE = "1MB";

    /** The provider, shared by every test of the run. */
    protected static final Simulator SIMULATOR = Simulator.start(
            SimulatorConfig.forTests().withLimit("5/2s").withEmbeddings(true).withCompletions(true));

    @Autowired
    protected Submissions submissions;

    @Autowired
    protected ApiReads apiReads;

    @Autowired
    protected JobRepository jobs;

    @Autowired
    protected BatchRepository batches;

    @Autowired
    protected JobTransitions transitions;

    @Autowired
    protected BatchTransitions batchTransitions;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
        registry.add("sluice.upstream.base-url", () -> SIMULATOR.baseUrl().toString());
    }

    /** The job as stored now. */
    protected JobRow job(Submissions.SubmittedBatch batch, String jobId) {
        return jobs.find(batch.tenantId(), jobId).orElseThrow();
    }

    /** The batch as stored now. */
    protected BatchRow batch(Submissions.SubmittedBatch batch) {
        return batches.find(batch.tenantId(), batch.batchId()).orElseThrow();
    }
}
