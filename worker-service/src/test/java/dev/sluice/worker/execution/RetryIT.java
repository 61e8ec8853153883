package dev.sluice.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.common.BatchStatus;
import dev.sluice.common.JobStatus;
import dev.sluice.common.TokenEstimate;
import dev.sluice.db.file.FileRepository;
import dev.sluice.db.file.ResultKind;
import dev.sluice.db.job.JobRow;
import dev.sluice.simulator.faults.FaultRates;
import dev.sluice.simulator.stats.ModelStats;
import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.WorkerIntegrationTest;
import dev.sluice.worker.pacing.GlobalPacer;
import dev.sluice.worker.pacing.Grant;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The retry paths: a 429 goes back to the queue without using an attempt; 5xx and resets use them up; an answer
 * over the size cap fails at once.
 */
class RetryIT extends WorkerIntegrationTest {

    @Autowired
    private FileRepository files;

    @Autowired
    private GlobalPacer pacer;

    @Autowired
    private JobExecutor executor;

    @Autowired
    private JdbcClient jdbc;

    /**
     * The waits an executor made, in order. None is really waited: the sleeper moves the waiting job's due time to
     * now instead, as if the database's clock had run on.
     */
    private final List<Duration> waits = new CopyOnWriteArrayList<>();

    @AfterEach
    void healTheProvider() {
        SIMULATOR.update(config -> config.withFaults(FaultRates.NONE));
    }

    @Test
    void a429PausesTheModelAndRunsTheJobAgainWithoutCountingAnAttempt() throws Exception {
        String model = "mistralai/mistral-large";
        // Someone else (same key) has used this window's whole budget: the worker's first call meets a 429.
        exhaustBudget(model);

        SubmittedBatch submitted =
                submissions.batch().chat(model, "after the window").submit();

        await().atMost(Duration.ofSeconds(15)).until(() -> batch(submitted).status() == BatchStatus.COMPLETED);
        JobRow job = job(submitted, submitted.jobIds().getFirst());
        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(job.attempts()).isEqualTo(1);
        ModelStats stats = SIMULATOR.stats().model(model);
        assertThat(stats.rateLimited()).isEqualTo(1);
        assertThat(stats.accepted()).isEqualTo(6);
    }

    @Test
    void serverErrorsAreRetriedUntilAttemptsRunOutThenTheLastAnswerIsKept() {
        String model = "qwen/qwq-32b";
        SIMULATOR.update(config -> config.withFaults(FaultRates.failures(1.0)));

        SubmittedBatch submitted = submissions.batch().chat(model, "always 5xx").submit();

        await().atMost(Duration.ofSeconds(15)).until(() -> batch(submitted).status() == BatchStatus.COMPLETED);
        JobRow job = job(submitted, submitted.jobIds().getFirst());
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.attempts()).isEqualTo(5);
        assertThat(job.responseStatus()).isBetween(500, 599);
        assertThat(job.responseBody()).contains("server_error");
        assertThat(SIMULATOR.stats().model(model).accepted()).isEqualTo(5);
    }

    @Test
    void aProviderThatDropsEveryConnectionEndsAsUpstreamUnreachable() {
        String model = "qwen/qwen-2.5-7b-instruct";
        SIMULATOR.update(config -> config.withFaults(FaultRates.NONE.withReset(1.0)));

        SubmittedBatch submitted =
                submissions.batch().chat(model, "never answered").submit();

        await().atMost(Duration.ofSeconds(15)).until(() -> batch(submitted).status() == BatchStatus.COMPLETED);
        JobRow job = job(submitted, submitted.jobIds().getFirst());
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.attempts()).isEqualTo(5);
        assertThat(job.responseStatus()).isNull();
        assertThat(job.errorCode()).isEqualTo("upstream_unreachable");
        JsonNode line = JsonMapper.builder()
                .build()
                .readTree(results(submitted, ResultKind.ERROR).strip());
        assertThat(line.path("response").isNull()).isTrue();
        assertThat(line.path("error").path("code").stringValue()).isEqualTo("upstream_unreachable");
    }

    @Test
    void anAnswerLargerThanTheCapFailsTheJobAtOnceAndTheWorkerGoesOn() {
        String model = "google/gemini-2.0-flash-lite-001";
        // The simulator echoes the prompt: a 1.1 MB prompt brings an answer over the 1 MB cap.
        String huge = "word ".repeat(220_000);

        SubmittedBatch submitted = submissions
                .batch()
                .chat(model, huge)
                .chat(model, "small after huge")
                .submit();

        await().atMost(Duration.ofSeconds(30)).until(() -> batch(submitted).status() == BatchStatus.COMPLETED);
        JobRow tooLarge = job(submitted, submitted.jobIds().getFirst());
        assertThat(tooLarge.status()).isEqualTo(JobStatus.FAILED);
        assertThat(tooLarge.attempts())
                .as("not retried: the same request brings the same answer")
                .isEqualTo(1);
        assertThat(tooLarge.responseStatus()).isNull();
        assertThat(tooLarge.errorCode()).isEqualTo("response_too_large");
        assertThat(job(submitted, submitted.jobIds().get(1)).status()).isEqualTo(JobStatus.SUCCEEDED);
        JsonNode line = JsonMapper.builder()
                .build()
                .readTree(results(submitted, ResultKind.ERROR).strip());
        assertThat(line.path("response").isNull()).isTrue();
        assertThat(line.path("error").path("code").stringValue()).isEqualTo("response_too_large");
        assertThat(line.path("error").path("message").stringValue()).contains("sluice.upstream.max-response-size");
        assertThat(SIMULATOR.stats().model(model).accepted()).isEqualTo(2);
    }

    @Test
    void theExecutorWaitsOutEachBackoffThePolicyDecidesThroughItsSleeper() throws Exception {
        String model = "google/gemini-2.0-flash-001";
        SIMULATOR.update(config -> config.withFaults(FaultRates.failures(1.0)));
        SubmittedBatch stored = submissions
                .batch()
                .chat(model, "always 5xx, waited by the sleeper")
                .store();

        executorRolling(0.5).execute(stored.messages().getFirst(), pacer.acquire(model, TokenEstimate.UNKNOWN));

        // Backoff 100 ms doubling to 200 ms, roll 0.5: half of 100, 200, 200, 200 ms after attempts 1 to 4.
        assertThat(waits)
                .containsExactly(
                        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofMillis(100));
        JobRow job = job(stored, stored.jobIds().getFirst());
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.attempts()).isEqualTo(5);
    }

    @Test
    void after429TheExecutorWaitsOutTheModelsPauseThroughItsSleeper() throws Exception {
        String model = "google/gemini-2.5-pro";
        exhaustBudget(model);
        SubmittedBatch stored =
                submissions.batch().chat(model, "after the pause").store();

        executorRolling(0.5).execute(stored.messages().getFirst(), pacer.acquire(model, TokenEstimate.UNKNOWN));

        // The simulator's 429 states 5/2s, the limit paced at: one window plus the 250 ms margin.
        assertThat(waits).containsExactly(Duration.ofMillis(2_250));
        JobRow job = job(stored, stored.jobIds().getFirst());
        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(job.attempts()).isEqualTo(1);
    }

    @Test
    void aJobWhoseGrantWentStaleIsPutBackAndItsMessageHandedBackWithoutACall() throws Exception {
        String model = "cohere/command-r-plus";
        SubmittedBatch stored =
                submissions.batch().chat(model, "granted too long ago").store();
        Grant fresh = pacer.acquire(model, TokenEstimate.UNKNOWN);
        // Decided longer ago than any grant may be used (GlobalPacer.MAX_GRANT_AGE): sending on it now could crowd
        // the provider's window.
        Grant stale = new Grant(
                fresh.credential(),
                fresh.model(),
                fresh.sentUs(),
                fresh.tokens(),
                fresh.leaseUntilUs(),
                fresh.grantedNanos() - Duration.ofSeconds(20).toNanos(),
                fresh.limits(),
                fresh.margin(),
                fresh.fillsWindow());

        boolean ack = executorRolling(0.5).execute(stored.messages().getFirst(), stale);

        assertThat(ack)
                .as("the message goes back to its lane rather than asking the pacer again")
                .isFalse();
        assertThat(waits).isEmpty();
        JobRow job = job(stored, stored.jobIds().getFirst());
        assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(job.attempts()).isZero();
        assertThat(SIMULATOR.stats().model(model).requests()).isZero();
    }

    /** An executor of this context's parts whose waits are recorded and whose backoff roll is fixed. */
    private JobExecutor executorRolling(double roll) {
        return executor.pacedBy(
                wait -> {
                    waits.add(wait);
                    // The job's not_before is on PostgreSQL's clock, which no test can tick: the job is made due now
                    // instead, so the claim that follows finds it due as if the wait had passed. (After a 429 the
                    // pacer itself then holds the grant until the model's pause, on its own clock, has passed.)
                    jdbc.sql(MAKE_DUE).update();
                },
                () -> roll);
    }

    /** The jobs waiting out a backoff become due now. */
    private static final String MAKE_DUE =
            "UPDATE jobs SET not_before = now() WHERE status = 'queued' AND not_before > now()";

    private static void exhaustBudget(String model) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(URI.create(SIMULATOR.baseUrl() + "/v1/chat/completions"))
                                .header("Authorization", "Bearer sk-local")
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("""
                                {"model":"%s","messages":[{"role":"user","content":"hog"}]}""".formatted(model)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
            }
        }
    }

    private String results(SubmittedBatch submitted, ResultKind kind) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        files.writeResults(submitted.batchId(), kind, out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
