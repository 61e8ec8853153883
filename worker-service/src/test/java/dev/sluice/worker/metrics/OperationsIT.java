package dev.sluice.worker.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.common.Ids;
import dev.sluice.common.JobStatus;
import dev.sluice.db.Timestamps;
import dev.sluice.db.cache.CacheKey;
import dev.sluice.db.cache.CachedResponse;
import dev.sluice.db.cache.ResponseCacheRepository;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.job.JobTransitions;
import dev.sluice.db.job.NewJob;
import dev.sluice.db.job.Outcome;
import dev.sluice.simulator.Simulator;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.testsupport.TestInfrastructure;
import dev.sluice.worker.Submissions;
import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.alert.BacklogAlerts;
import dev.sluice.worker.finalization.BatchFinalizer;
import dev.sluice.worker.webhook.WebhookDeliverer;
import dev.sluice.worker.webhook.WebhookEventSweep;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
            // The webhook receiver below is on 127.0.0.1; a failed delivery waits an hour, so it stays pending.
            "sluice.webhook.allow-private=true",
            "sluice.webhook.interval=1h",
            // The test drives the outbox with runOnce(): announcements must not run it behind its back.
            "sluice.webhook.listen=false",
            "sluice.webhook.timeout=2s",
            "sluice.webhook.retry-schedule=1h",
            // As SLUICE_LOG_FORMAT=logstash sets it: the log lines of this context are JSON.
            "logging.structured.format.console=logstash"
        })
@Import(Submissions.class)
@ExtendWith(OutputCaptureExtension.class)
class OperationsIT {

    private static final Simulator SIMULATOR =
            Simulator.start(SimulatorConfig.forTests().withLimit("5/2s").withEmbeddings(true));
    private static final Outcome ANSWER = new Outcome(200, "{\"object\":\"chat.completion\"}", null, null, 1, 2, 3, 10);
    private static final List<String> ALERTS = new CopyOnWriteArrayList<>();
    /** Advisory locks of this JVM's database held while each alert message arrived: the alert lock must not be. */
    private static final List<Long> LOCKS_DURING_ALERTS = new CopyOnWriteArrayList<>();
    /** The test database, for the receiver to look at while a message arrives; set once the context is up. */
    private static volatile JdbcClient receiverJdbc;

    private static final HttpServer RECEIVER = receiver();
    private static final String WEBHOOK_SECRET = "whsec_" + Base64.getEncoder().encodeToString(new byte[32]);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Autowired
    Submissions submissions;

    @Autowired
    JobRepository jobs;

    @Autowired
    JobTransitions transitions;

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

    @Autowired
    WebhookEventSweep webhookSweep;

    @Autowired
    WebhookDeliverer webhookDeliverer;

    @Autowired
    WebhookMetrics webhookMetrics;

    @Autowired
    ResponseCacheRepository responseCache;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
        registry.add("sluice.upstream.base-url", () -> SIMULATOR.baseUrl().toString());
        registry.add(
                "sluice.alerts.webhook-url",
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
        assertThat(value(scrape(), "sluice_jobs_finished_total", model, "status=\"succeeded\""))
                .isZero();

        SubmittedBatch batch = submissions.batch().chat(model, "count me").submit();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> jobs.find(batch.tenantId(), batch.jobIds().getFirst())
                                .orElseThrow()
                                .status()
                        == JobStatus.SUCCEEDED);

        String after = scrape();
        assertThat(value(after, "sluice_jobs_finished_total", model, "status=\"succeeded\""))
                .isEqualTo(1.0);
        assertThat(value(after, "sluice_upstream_responses_total", model, "status=\"200\""))
                .isEqualTo(1.0);
        assertThat(value(after, "sluice_upstream_latency_seconds_count", model, ""))
                .isEqualTo(1.0);
        assertThat(value(after, "sluice_tokens_total", model, "kind=\"prompt\""))
                .isPositive();
        // The request's lateness after its granted instant, recorded once its send time is (beside the pacer's write).
        await().atMost(Duration.ofSeconds(10))
                .until(() -> value(scrape(), "sluice_pacer_send_lateness_seconds_count", model, "") == 1.0);
        String sent = scrape();
        assertThat(value(sent, "sluice_pacer_send_lateness_seconds_bucket", model, "le=\"1.0\""))
                .as("one request, in the bucket of at most a second")
                .isEqualTo(1.0);
        assertThat(value(sent, "sluice_pacer_send_lateness_seconds_sum", model, ""))
                .isBetween(0.0, 1.0);

        String held = "ops-held-" + Ids.random(4);
        SubmittedBatch waiting = submissions.batch().chats(held, 2).store();
        heartbeat.beat();
        gauges.refresh();
        String gauged = scrape();
        assertThat(value(gauged, "sluice_queue_consumers", model, ""))
                .as("this worker dispatches it")
                .isEqualTo(1.0);
        assertThat(value(gauged, "sluice_queue_depth", held, "")).isEqualTo(2.0);
        // Every limit in force, with its unit, window and source; and how much of it the busiest key used.
        assertThat(value(gauged, "sluice_limit", model, "unit=\"requests\",window=\"2s\""))
                .isEqualTo(5.0);
        assertThat(gauged).contains("source=\"default\"");
        assertThat(value(gauged, "sluice_limit_used", model, "unit=\"requests\",window=\"2s\""))
                .isBetween(0.0, 5.0);
        assertThat(waiting.jobIds()).hasSize(2);
    }

    @Test
    void aFailedJobIsCountedAndLoggedOnceAsJsonWithItsIdsButNotItsBody(CapturedOutput output) {
        // The simulator refuses models it does not know with a 4xx: a permanent failure.
        String model = "ops-unknown-" + Ids.random(4);
        SubmittedBatch batch =
                submissions.batch().chat(model, "a secret prompt").submit();
        String jobId = batch.jobIds().getFirst();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> jobs.find(batch.tenantId(), jobId).orElseThrow().status() == JobStatus.FAILED);

        String scraped = scrape();
        assertThat(value(scraped, "sluice_jobs_finished_total", model, "status=\"failed\""))
                .isEqualTo(1.0);
        assertThat(value(scraped, "sluice_jobs_finished_total", model, "status=\"succeeded\""))
                .isZero();

        List<String> lines = output.getOut()
                .lines()
                .filter(line -> line.contains(jobId) && line.contains("\"event\":\"job_failed\""))
                .toList();
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
        receiverJdbc = jdbc;
        SubmittedBatch batch = submissions.batch().chats(model, 2).store();
        // Stored but never published: the jobs wait until the test cancels them.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            alerts.runOnce();
            return about(model).size() == 1;
        });
        assertThat(about(model).getFirst())
                .startsWith("[FIRING]")
                .contains(model)
                .contains("2 waiting");

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
                .param("id", batch.batchId())
                .update();
        // Settled now, so that no other test's finalisation sweep of this JVM's database finds it open.
        finalizer.afterJobFinished(batch.batchId());
        assertThat(jdbc.sql("SELECT status FROM batches WHERE id = :id")
                        .param("id", batch.batchId())
                        .query(String.class)
                        .single())
                .isEqualTo("completed");
        alerts.runOnce();
        alerts.runOnce();

        assertThat(about(model)).hasSize(2);
        assertThat(about(model).get(1)).startsWith("[RESOLVED]").contains(model);
        // Sent after the evaluation committed: no transaction (nor its advisory lock) held across the HTTP call.
        assertThat(LOCKS_DURING_ALERTS).isNotEmpty().containsOnly(0L);
    }

    @Test
    void everyWebhookAttemptIsCountedByOutcomeAndThePendingEventsAreGauged() throws Exception {
        Instant started = Instant.now();
        Map<String, Double> before = deliveries(scrape());
        String delivered = completedBatchWithWebhook(receiverUrl("/events/ok"));
        String failed = completedBatchWithWebhook(receiverUrl("/events/down"));
        String gone = completedBatchWithWebhook(receiverUrl("/events/gone"));
        String refused = completedBatchWithWebhook("http://169.254.169.254/latest/meta-data/");
        assertThat(webhookSweep.runOnce()).isGreaterThanOrEqualTo(4);

        webhookMetrics.refresh();
        double pendingBefore = value(scrape(), "sluice_webhook_events_pending");
        assertThat(pendingBefore).isEqualTo(pendingEvents()).isGreaterThanOrEqualTo(4);

        deliverDue();

        assertThat(List.of(delivered, failed, gone, refused))
                .map(this::eventStatus)
                .containsExactly("delivered", "pending", "failed", "failed");
        Map<String, Double> after = deliveries(scrape());
        // Exactly one attempt per delivery row written meanwhile, each under its outcome (another test's leftover
        // due event, if any, is counted in both).
        Map<String, Long> attempts = attemptsSince(started);
        for (String outcome : List.of("delivered", "failed", "gone", "refused")) {
            assertThat(after.get(outcome) - before.getOrDefault(outcome, 0.0))
                    .as(outcome)
                    .isEqualTo(attempts.getOrDefault(outcome, 0L).doubleValue())
                    .isGreaterThanOrEqualTo(1.0);
        }

        webhookMetrics.refresh();
        String gauged = scrape();
        assertThat(value(gauged, "sluice_webhook_events_pending"))
                .isEqualTo(pendingEvents())
                .isLessThanOrEqualTo(pendingBefore - 3);
        assertThat(value(gauged, "sluice_webhook_events_oldest_age_seconds")).isPositive();
    }

    @Test
    void batchJobsAnsweredFromTheCacheAreCountedAsHitsAndTheOthersAsMisses() {
        String model = "meta-llama/llama-3.2-1b-instruct";
        SubmittedBatch batch = submissions
                .batch()
                .embedding(model, "asked before")
                .embedding(model, "new")
                .store();
        NewJob cachedLine = batch.jobs().getFirst();
        Instant now = Instant.now();
        responseCache.put(
                batch.tenantId(),
                CacheKey.of(cachedLine.url(), cachedLine.body()).orElseThrow(),
                cachedLine.url(),
                new CachedResponse(200, "{\"object\":\"list\",\"data\":[]}", 4, 0, 4),
                now,
                now.plus(Duration.ofHours(1)));

        batch.messages().forEach(submissions::publish);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> batch.jobIds().stream()
                        .allMatch(id ->
                                jobs.find(batch.tenantId(), id).orElseThrow().status() == JobStatus.SUCCEEDED));

        String scraped = scrape();
        assertThat(value(scraped, "sluice_cache_hits_total", model, "source=\"worker\""))
                .isEqualTo(1.0);
        assertThat(value(scraped, "sluice_cache_misses_total", model, "source=\"worker\""))
                .isEqualTo(1.0);
        assertThat(jdbc.sql("SELECT id FROM jobs WHERE batch_id = :id AND cached")
                        .param("id", batch.batchId())
                        .query(String.class)
                        .list())
                .containsExactly(cachedLine.id());
    }

    /** A one-job batch with a webhook, its job succeeded and the batch finalised; returns the batch id. */
    private String completedBatchWithWebhook(String url) {
        SubmittedBatch batch = submissions
                .batch()
                .webhook(url, WEBHOOK_SECRET)
                .chat("ops-webhook", "done")
                .store();
        String jobId = batch.jobIds().getFirst();
        Instant now = Instant.now();
        transitions.claim(jobId, "test-worker", Duration.ofSeconds(60)).orElseThrow();
        assertThat(transitions.markSucceeded(jobId, "test-worker", ANSWER, now)).isTrue();
        finalizer.afterJobFinished(batch.batchId());
        return batch.batchId();
    }

    private String eventStatus(String subjectId) {
        return jdbc.sql("SELECT status FROM webhook_events WHERE subject_id = :id")
                .param("id", subjectId)
                .query(String.class)
                .single();
    }

    private double pendingEvents() {
        return jdbc.sql("SELECT count(*) FROM webhook_events WHERE status = 'pending'")
                .query(Long.class)
                .single();
    }

    /** Delivery rows written since {@code since}, by the outcome label they are counted under. */
    private Map<String, Long> attemptsSince(Instant since) {
        Map<String, Long> counts = new HashMap<>();
        jdbc.sql("""
                SELECT CASE WHEN status = 'failed' AND response_status = 410 THEN 'gone' ELSE status END AS outcome,
                       count(*) AS n
                  FROM webhook_deliveries WHERE attempted_at >= :since GROUP BY 1""")
                .param("since", Timestamps.bind(since))
                .query((rs, n) -> counts.put(rs.getString("outcome"), rs.getLong("n")))
                .list();
        return counts;
    }

    /** {@code sluice_webhook_deliveries_total} by outcome. */
    private static Map<String, Double> deliveries(String exposition) {
        Map<String, Double> byOutcome = new HashMap<>();
        Matcher matcher = Pattern.compile(
                        "^sluice_webhook_deliveries_total\\{[^}]*outcome=\"([a-z]+)\"[^}]*\\} (\\S+)$",
                        Pattern.MULTILINE)
                .matcher(exposition);
        while (matcher.find()) {
            byOutcome.merge(matcher.group(1), Double.parseDouble(matcher.group(2)), Double::sum);
        }
        return byOutcome;
    }

    /** The sample of an unlabelled meter (labels such as the application's are ignored); NaN when none. */
    private static double value(String exposition, String name) {
        Matcher matcher = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE)
                .matcher(exposition);
        return matcher.find() ? Double.parseDouble(matcher.group(2)) : Double.NaN;
    }

    private String receiverUrl(String path) {
        return "http://127.0.0.1:" + RECEIVER.getAddress().getPort() + path;
    }

    private static List<String> about(String model) {
        return ALERTS.stream()
                .filter(text -> text.contains("model " + model + " "))
                .toList();
    }

    private String scrape() {
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/prometheus"))
                            .GET()
                            .build(),
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
                JdbcClient database = receiverJdbc;
                if (database != null) {
                    LOCKS_DURING_ALERTS.add(database.sql("""
                            SELECT count(*) FROM pg_locks
                             WHERE locktype = 'advisory' AND granted
                               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                            """).query(Long.class).single());
                }
                ALERTS.add(JSON.readTree(body).get("text").asString());
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            // The completion webhooks' receiver: a fixed answer per path.
            Map<String, Integer> answers = Map.of("/events/ok", 200, "/events/down", 503, "/events/gone", 410);
            server.createContext("/events/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(
                        answers.getOrDefault(exchange.getRequestURI().getPath(), 404), -1);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the due events' attempts and waits until each is recorded. */
    private void deliverDue() throws InterruptedException {
        webhookDeliverer.runOnce();
        assertThat(webhookDeliverer.awaitIdle(Duration.ofSeconds(30))).isTrue();
    }
}
