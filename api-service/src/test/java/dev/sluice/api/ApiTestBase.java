package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.db.batch.BatchRepository;
import dev.sluice.db.batch.BatchTransitions;
import dev.sluice.simulator.Simulator;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.testsupport.TestInfrastructure;
import dev.sluice.testsupport.TestSecrets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The api-service on a random port against this run's PostgreSQL database and RabbitMQ vhost,
 * talked to over real HTTP. Every IT extends it with the same configuration, so the Spring context
 * starts once per run. The scheduled sweeper is pushed out of the way; tests call {@code runOnce()}.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "sluice.admin-key=" + ApiTestBase.ADMIN_KEY,
            // Many tests send wrong admin keys from 127.0.0.1; AdminLoginThrottleIT tests the throttle on its own.
            "sluice.admin-login.max-failures=1000000",
            "sluice.input.max-request-size=1MB",
            "sluice.input.max-file-size=2MB",
            "sluice.input.max-line-size=64KB",
            "sluice.dispatch.sweep-interval=1h",
            "sluice.dispatch.republish-after=0s",
            "sluice.facade.keep-alive=300ms",
            // A closed event stream is noticed at the server's next writes, keep-alives at the latest: a second
            // apart rather than 15 s, so a stream's quota place comes back within the tests' waits.
            "sluice.events.keep-alive=1s",
            // Models the validation tests name; every other test allows its own (uniqueModel).
            "sluice.models=m,m-1,m-2",
            // A miss reads the provider's list at once, so a test can add a model to the simulator and use it.
            "sluice.facade.models-miss-refresh=0s",
            "sluice.secrets.encryption-key=" + TestSecrets.ENCRYPTION_KEY
        })
public abstract class ApiTestBase {

    protected static final String ADMIN_KEY = "test-admin-key-0123456789";
    protected static final JsonMapper JSON = JsonMapper.builder().build();

    protected static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The provider whose model list the registry reads, shared by every test of the run. */
    protected static final Simulator SIMULATOR = Simulator.start(SimulatorConfig.forTests());

    /** Models made by {@link #uniqueModel} before the database was reachable, allowed before the next test. */
    private static final Set<String> TO_ALLOW = ConcurrentHashMap.newKeySet();

    private static volatile JdbcClient allowing;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
        registry.add(
                "sluice.facade.upstream-base-url", () -> SIMULATOR.baseUrl().toString());
    }

    @BeforeEach
    void allowModelsMadeEarlier() {
        allowing = jdbc;
        for (String model : TO_ALLOW) {
            allow(jdbc, model);
            TO_ALLOW.remove(model);
        }
    }

    @LocalServerPort
    protected int port;

    @Autowired
    protected JdbcClient jdbc;

    @Autowired
    protected AmqpAdmin amqp;

    @Autowired
    private BatchTransitions batchTransitions;

    @Autowired
    private BatchRepository batchRows;

    /** An HTTP answer, with the body parsed as JSON when it is JSON. */
    protected record Reply(int status, String contentType, String body) {

        JsonNode json() {
            return JSON.readTree(body);
        }

        JsonNode error() {
            return json().get("error");
        }
    }

    protected Reply get(String path, String key) {
        return send(request(path, key).GET().build());
    }

    protected Reply post(String path, String key, String json) {
        return send(request(path, key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                .build());
    }

    /** A JSON POST with an {@code Idempotency-Key}. */
    protected Reply postWithKey(String path, String tenantKey, String idempotencyKey, String json) {
        return send(request(path, tenantKey)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", idempotencyKey)
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                .build());
    }

    protected Reply put(String path, String key, String json) {
        return send(request(path, key)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                .build());
    }

    protected Reply patch(String path, String key, String json) {
        return send(request(path, key)
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                .build());
    }

    protected Reply delete(String path, String key) {
        return send(request(path, key).DELETE().build());
    }

    protected HttpRequest.Builder request(String path, String key) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(60));
        if (key != null) {
            builder.header("Authorization", "Bearer " + key);
        }
        return builder;
    }

    protected Reply send(HttpRequest request) {
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(
                    response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(null),
                    response.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Asserts the status, showing the body when it differs. */
    protected static Reply expect(int status, Reply reply) {
        assertThat(reply.status()).as("status of %s", reply.body()).isEqualTo(status);
        return reply;
    }

    /** A new tenant's API key, made through the admin API. */
    protected String newTenantKey() {
        Reply reply = post("/admin/api-keys", ADMIN_KEY, "{\"name\":\"tenant under test\"}");
        if (reply.status() != 201) {
            throw new IllegalStateException("creating a key failed: " + reply);
        }
        return reply.json().get("key").asString();
    }

    /** Creates a batch with {@code POST /v1/batches} (expecting 200) and returns its id. */
    protected String createBatch(String key, String json) {
        return expect(200, post("/v1/batches", key, json)).json().get("id").asString();
    }

    /**
     * Finalizes a batch whose jobs are all finished, as the worker's finalizer does: {@code completed} with its
     * live counts and usage and the given result files (either may be null).
     */
    protected void completeBatch(String batchId, String outputFileId, String errorFileId) {
        Instant now = Instant.now();
        assertThat(batchTransitions.tryStartFinalizing(batchId, now)).isTrue();
        assertThat(batchTransitions.markCompleted(
                        batchId,
                        batchRows.liveCounts(batchId),
                        batchRows.liveUsage(batchId),
                        outputFileId,
                        errorFileId,
                        now))
                .isTrue();
    }

    /**
     * Queued jobs of a batch without a confirmed message: unmarked ({@code published_at} null), or at or after the
     * first line its publication has not had confirmed ({@code batch_publications}, V36).
     */
    protected long unpublishedOfBatch(String batchId) {
        return jdbc.sql("""
                        SELECT count(*) FROM jobs j
                         WHERE j.batch_id = :id AND j.status = 'queued'
                           AND (j.published_at IS NULL
                                OR EXISTS (SELECT 1 FROM batch_publications p
                                            WHERE p.batch_id = j.batch_id AND j.line_no >= p.unconfirmed_from))
                        """).param("id", batchId).query(Long.class).single();
    }

    /** Rows in a table, e.g. to show that a refused request stored nothing. */
    protected long rows(String table) {
        return jdbc.sql("SELECT count(*) FROM " + table).query(Long.class).single();
    }

    /** Messages waiting in the model's lane queues (one per tenant with jobs of it); 0 for lanes without one. */
    protected long queueDepth(String model) {
        long depth = 0;
        for (String tenantId : jdbc.sql("SELECT DISTINCT tenant_id FROM jobs WHERE model = :model")
                .param("model", model)
                .query(String.class)
                .list()) {
            QueueInformation info = amqp.getQueueInfo(dev.sluice.common.Queues.forLane(model, tenantId));
            depth += info == null ? 0 : info.getMessageCount();
        }
        return depth;
    }

    /** The lane queue of the one tenant with jobs of {@code model} (these tests use a model per test). */
    protected String lane(String model) {
        String tenantId = jdbc.sql("SELECT DISTINCT tenant_id FROM jobs WHERE model = :model")
                .param("model", model)
                .query(String.class)
                .single();
        return dev.sluice.common.Queues.forLane(model, tenantId);
    }

    /**
     * A model name no other test uses, so queue depths are this test's alone, allowed as an operator would
     * ({@code POST /admin/models}) so that jobs may name it.
     */
    protected static String uniqueModel(String base) {
        String model = base + "-" + dev.sluice.common.Ids.random(4);
        JdbcClient db = allowing;
        if (db == null) {
            TO_ALLOW.add(model);
        } else {
            allow(db, model);
        }
        return model;
    }

    private static void allow(JdbcClient db, String model) {
        db.sql("""
                INSERT INTO allowed_models (model, source, added_at) VALUES (:model, 'operator', now())
                ON CONFLICT DO NOTHING
                """).param("model", model).update();
    }
}
