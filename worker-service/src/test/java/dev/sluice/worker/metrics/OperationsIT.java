package dev.sluice.worker.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.common.Ids;
import dev.sluice.common.JobStatus;
import dev.sluice.db.job.JobRepository;
import dev.sluice.simulator.Simulator;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.testsupport.TestInfrastructure;
import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.Submissions;
import dev.sluice.worker.alert.BacklogAlerts;
import dev.sluice.worker.finalization.BatchFinalizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The worker's operations side over real HTTP: {@code /actuator/prometheus} as Prometheus scrapes it, and the
 * alert webhook posting to a real HTTP receiver. Its own context (a web port, a webhook URL); the loops run
 * hourly, so the test drives {@code refresh()} and {@code runOnce()} itself.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
                "spring.flyway.enabled=true",
                "sluice.default-limit=5/2s",
                "sluice.upstream.read-timeout=10s",
                "sluice.intake.discovery-interval=200ms",
                "sluice.finalization.interval=1h",
                "sluice.rescue.interval=1h",
                "sluice.operations.refresh-interval=10s",
                "sluice.alerts.backlog-age=1s",
                "sluice.alerts.interval=1h",
                // As SLUICE_LOG_FORMAT=logstash sets it: the log lines of this context are JSON.
                "logging.structured.format.console=logstash"
        })
@Import(Submissions.class)
@ExtendWith(OutputCaptureExtension.class)
class OperationsIT {

    private static final Simulator SIMULATOR = Simulator.start(SimulatorConfig.forTests().withLimit("5/2s"));
    private static final List<String> ALERTS = new CopyOnWriteArrayList<>();
    private static final HttpServer RECEIVER = receiver();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Autowired
    Submissions submissions;

    @Autowired
    JobRepository jobs;

    @Autowired
    QueueGauges gauges;

    @Autowired
    WorkerHeartbeat heartbeat;

    @Autowired
    BacklogAlerts alerts;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    BatchFinalizer finalizer;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
        registry.add("sluice.upstream.base-url", () -> SIMULATOR.baseUrl().toString());
        registry.add("sluice.alerts.webhook-url",
                () -> "http://127.0.0.1:" + RECEIVER.getAddress().getPort() + "/hooks/T000/B000/secret");
    }

    @AfterAll
    static void stopReceiver() {
        RECEIVER.stop(0);
    }

    @Test
    void metricsMoveWhenAJobRuns() {
        // A model the simulator knows (it refuses others) and no other test of this context runs.
        String model = "google/gemma-2-9b-it";
        assertThat(value(scrape(), "sluice_jobs_finished_total", model, "status=\"succeeded\"")).isZero();

        SubmittedBatch batch = submissions.batch().chat(model, "count me").submit();
        await().atMost(Duration.ofSeconds(30)).until(() -> jobs.find(batch.tenantId(), batch.jobIds().getFirst())
                .orElseThrow().status() == JobStatus.SUCCEEDED);

        String after = scrape();
        assertThat(value(after, "sluice_jobs_finished_total", model, "status=\"succeeded\"")).isEqualTo(1.0);
        assertThat(value(after, "sluice_upstream_responses_total", model, "status=\"200\"")).isEqualTo(1.0);
        assertThat(value(after, "sluice_upstream_latency_seconds_count", model, "")).isEqualTo(1.0);
        assertThat(value(after, "sluice_tokens_total", model, "kind=\"prompt\"")).isPositive();

        String held = "ops-held-" + Ids.random(4);
        SubmittedBatch waiting = submissions.batch().chats(held, 2).store();
        heartbeat.beat();
        gauges.refresh();
        String gauged = scrape();
        assertThat(value(gauged, "sluice_queue_consumers", model, "")).as("this worker dispatches it").isEqualTo(1.0);
        assertThat(value(gauged, "sluice_queue_depth", held, "")).isEqualTo(2.0);
        assertThat(value(gauged, "sluice_limit_requests", model, "kind=\"effective\"")).isEqualTo(5.0);
        assertThat(waiting.jobIds()).hasSize(2);
    }

    @Test
    void aFailedJobIsCountedAndLoggedOnceAsJsonWithItsIdsButNotItsBody(CapturedOutput output) {
        // The simulator refuses models it does not know with a 4xx: a permanent failure.
        String model = "ops-unknown-" + Ids.random(4);
        SubmittedBatch batch = submissions.batch().chat(model, "a secret prompt").submit();
        String jobId = batch.jobIds().getFirst();
        await().atMost(Duration.ofSeconds(30)).until(() -> jobs.find(batch.tenantId(), jobId).orElseThrow().status()
                == JobStatus.FAILED);

        String scraped = scrape();
        assertThat(value(scraped, "sluice_jobs_finished_total", model, "status=\"failed\"")).isEqualTo(1.0);
        assertThat(value(scraped, "sluice_jobs_finished_total", model, "status=\"succeeded\"")).isZero();

        List<String> lines = output.getOut().lines()
                .filter(line -> line.contains(jobId) && line.contains("\"event\":\"job_failed\"")).toList();
        assertThat(lines).hasSize(1);
        var json = JSON.readTree(lines.getFirst());
        assertThat(json.get("job_id").asString()).isEqualTo(jobId);
        assertThat(json.get("batch_id").asString()).isEqualTo(batch.batchId());
        assertThat(json.get("model").asString()).isEqualTo(model);
        assertThat(json.get("level").asString()).isEqualTo("WARN");
        assertThat(output.getOut()).doesNotContain("a secret prompt");
    }

    @Test
    void backlogAlertFiresOnceAndRecoversOnce() throws Exception {
        String model = "ops-backlog-" + Ids.random(4);
        SubmittedBatch batch = submissions.batch().chats(model, 2).store();
        // Stored but never published: the jobs wait until the test cancels them.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            alerts.runOnce();
            return about(model).size() == 1;
        });
        assertThat(about(model).getFirst()).startsWith("[FIRING]").contains(model).contains("2 waiting");

        // Two evaluations at once, as two workers would run them: still no second message.
        try (var pool = Executors.newFixedThreadPool(2)) {
            List<Future<Integer>> runs = List.of(pool.submit(alerts::runOnce), pool.submit(alerts::runOnce));
            for (Future<Integer> run : runs) {
                run.get();
            }
        }
        alerts.runOnce();
        assertThat(about(model)).hasSize(1);

        jdbc.sql("UPDATE jobs SET status = 'cancelled', completed_at = now() WHERE batch_id = :id")
                .param("id", batch.batchId()).update();
        // Settled now, so that no other test's finalisation sweep of this JVM's database finds it open.
        finalizer.afterJobFinished(batch.batchId());
        assertThat(jdbc.sql("SELECT status FROM batches WHERE id = :id").param("id", batch.batchId())
                .query(String.class).single()).isEqualTo("completed");
        alerts.runOnce();
        alerts.runOnce();

        assertThat(about(model)).hasSize(2);
        assertThat(about(model).get(1)).startsWith("[RESOLVED]").contains(model);
    }

    private static List<String> about(String model) {
        return ALERTS.stream().filter(text -> text.contains("model " + model + " ")).toList();
    }

    private String scrape() {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + port + "/actuator/prometheus")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The sample of {@code name} for {@code model} whose labels contain {@code label}; 0 when there is none. */
    private static double value(String exposition, String name, String model, String label) {
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
        Matcher matcher = line.matcher(exposition);
        while (matcher.find()) {
            String labels = matcher.group(1);
            if (labels.contains("model=\"" + model + "\"") && labels.contains(label)) {
                return Double.parseDouble(matcher.group(2));
            }
        }
        return 0;
    }

    private static HttpServer receiver() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/hooks/", exchange -> {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                ALERTS.add(JSON.readTree(body).get("text").asString());
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
