package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.standardwebhooks.Webhook;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.testsupport.TestInfrastructure;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A worker SIGKILLed in the middle of delivering a batch's webhook: the receiver holds the first POST open, the
 * worker is killed while it waits for the answer, and a worker started afterwards delivers the same event (same
 * {@code webhook-id}, valid signature) once the dead worker's claim runs out. The tenant's secret is stored
 * encrypted by the api and decrypted by each worker to sign. Real processes, real HTTP.
 */
class WebhookCrashIT {

    private static SluiceStack stack;
    private static HttpServer receiver;
    private static final List<Map<String, List<String>>> HEADERS = new CopyOnWriteArrayList<>();
    private static final List<String> BODIES = new CopyOnWriteArrayList<>();
    private static final CountDownLatch RELEASE_FIRST = new CountDownLatch(1);

    @BeforeAll
    static void start() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            HEADERS.add(Map.copyOf(exchange.getRequestHeaders()));
            BODIES.add(body);
            if (BODIES.size() == 1) {
                // Hold the first attempt open: its worker is killed while it waits.
                try {
                    RELEASE_FIRST.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        stack = SluiceStack.start(
                Map.of("SIMULATOR_LIMIT", "40/2s", "SIMULATOR_LATENCY_MS", "20"),
                Map.of(
                        "SLUICE_DEFAULT_LIMIT",
                        "40/2s",
                        "SLUICE_WEBHOOK_ALLOW_PRIVATE",
                        "true",
                        "SLUICE_WEBHOOK_TIMEOUT",
                        "3s",
                        "SLUICE_WEBHOOK_RETRY_SCHEDULE",
                        "1s,1s,1s"),
                1);
    }

    @AfterAll
    static void stop() {
        RELEASE_FIRST.countDown();
        if (stack != null) {
            stack.close();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    @Test
    void aWorkerKilledWhileDeliveringIsReplacedAndTheEventStillArrivesSigned() throws Exception {
        JsonNode created =
                stack.admin().post("/admin/api-keys", Map.of("name", "hooked")).json();
        String secret = created.get("webhook_secret").asString();
        // Stored encrypted by the api process; the worker processes decrypt it to sign.
        assertThat(storedWebhookSecret(created.get("tenant_id").asString()))
                .startsWith("enc:v1:")
                .doesNotContain(secret.substring("whsec_".length()));
        Http client = stack.client(created.get("key").asString());
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        Http.Response submitted = client.post(
                "/v1/batches",
                Map.of(
                        "endpoint",
                        "/v1/chat/completions",
                        "webhook_url",
                        url,
                        "requests",
                        List.of(Map.of(
                                "custom_id",
                                "a",
                                "method",
                                "POST",
                                "body",
                                Map.of(
                                        "model",
                                        "openai/gpt-4o-mini",
                                        "messages",
                                        List.of(Map.of("role", "user", "content", "hi")))))));
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(200);
        String batchId = submitted.json().get("id").asString();

        await("first webhook attempt").atMost(Duration.ofSeconds(90)).until(() -> BODIES.size() == 1);
        stack.workers().getFirst().kill();
        RELEASE_FIRST.countDown();
        stack.startWorker();

        await("redelivery by the new worker").atMost(Duration.ofSeconds(60)).until(() -> BODIES.size() >= 2);
        assertThat(HEADERS.get(0).get("Webhook-id")).singleElement().asString().startsWith("evt_");
        assertThat(HEADERS.get(1).get("Webhook-id")).isEqualTo(HEADERS.get(0).get("Webhook-id"));
        new Webhook(secret).verify(BODIES.get(1), HEADERS.get(1));
        assertThat(BODIES.get(1)).contains("\"type\":\"batch.completed\"", batchId);
        JsonNode deliveries = await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> client.get("/v1/batches/" + batchId + "/webhook_deliveries")
                                .json(),
                        list -> list.get("data").size() >= 1);
        // The killed worker's attempt left no record; the replacement's is the event's second attempt.
        JsonNode last = deliveries.get("data").get(deliveries.get("data").size() - 1);
        assertThat(last.get("status").asString()).isEqualTo("delivered");
        assertThat(last.get("attempt").asInt()).isEqualTo(2);
    }

    private static String storedWebhookSecret(String tenantId) throws SQLException {
        TestInfrastructure.Database db = TestInfrastructure.database();
        try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
                PreparedStatement query =
                        connection.prepareStatement("SELECT webhook_secret FROM tenants WHERE id = ?")) {
            query.setString(1, tenantId);
            try (ResultSet rs = query.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }
}
