package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** {@code Idempotency-Key} on {@code POST /v1/batches} and {@code POST /v1/jobs} (docs/contract.md, "Client API"). */
class IdempotencyIT extends ApiTestBase {

    @Test
    void theSameKeyAndBodyTwiceGiveTheSameBatchStoredAndPublishedOnce() {
        String tenant = newTenantKey();
        String model = uniqueModel("idem");
        String body = aChatBatch().requests(3, model).json();

        Reply first = expect(200, postWithKey("/v1/batches", tenant, "key-1", body));
        Reply second = expect(200, postWithKey("/v1/batches", tenant, "key-1", body));

        String id = first.json().get("id").asString();
        assertThat(second.json().get("id").asString()).isEqualTo(id);
        assertThat(second.json().get("created_at")).isEqualTo(first.json().get("created_at"));
        assertThat(batchesOf(tenant)).isEqualTo(1);
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE batch_id = :id")
                        .param("id", id)
                        .query(Long.class)
                        .single())
                .isEqualTo(3);
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(queueDepth(model)).isEqualTo(3L));
    }

    @Test
    void theSameKeyWithAnotherBodyIsA409AndStoresNothing() {
        String tenant = newTenantKey();
        String model = uniqueModel("idem");
        String id = expect(
                        200,
                        postWithKey(
                                "/v1/batches",
                                tenant,
                                "key-2",
                                aChatBatch().requests(1, model).json()))
                .json()
                .get("id")
                .asString();
        long jobsBefore = rows("jobs");

        Reply refused = expect(
                409,
                postWithKey(
                        "/v1/batches",
                        tenant,
                        "key-2",
                        aChatBatch().requests(2, model).json()));

        assertThat(refused.error().get("code").asString()).isEqualTo("idempotency_key_reused");
        assertThat(refused.error().get("param").asString()).isEqualTo("Idempotency-Key");
        assertThat(refused.error().get("message").asString()).contains("key-2");
        assertThat(batchesOf(tenant)).isEqualTo(1);
        assertThat(rows("jobs")).isEqualTo(jobsBefore);
        assertThat(keyObject(id, "key-2", "batch")).isEqualTo(id);
    }

    @Test
    void theSameKeyOnJobsGivesTheSameJobWith202() {
        String tenant = newTenantKey();
        String model = uniqueModel("idem-job");
        String body = "{\"url\":\"/v1/embeddings\",\"body\":{\"model\":\"" + model + "\",\"input\":\"x\"}}";

        String first = expect(202, postWithKey("/v1/jobs", tenant, "job-key", body))
                .json()
                .get("id")
                .asString();
        String second = expect(202, postWithKey("/v1/jobs", tenant, "job-key", body))
                .json()
                .get("id")
                .asString();

        assertThat(second).isEqualTo(first);
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE tenant_id = :t")
                        .param("t", tenantOf(first))
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(queueDepth(model)).isEqualTo(1L));
        expect(409, postWithKey("/v1/jobs", tenant, "job-key", body.replace("\"x\"", "\"y\"")));
    }

    @Test
    void keysArePerTenant() {
        String alice = newTenantKey();
        String bob = newTenantKey();
        String body = aChatBatch().requests(1, uniqueModel("idem")).json();

        String forAlice = expect(200, postWithKey("/v1/batches", alice, "shared", body))
                .json()
                .get("id")
                .asString();
        String forBob = expect(200, postWithKey("/v1/batches", bob, "shared", body))
                .json()
                .get("id")
                .asString();

        assertThat(forBob).isNotEqualTo(forAlice);
        assertThat(batchesOf(alice)).isEqualTo(1);
        assertThat(batchesOf(bob)).isEqualTo(1);
    }

    @Test
    void anInvalidKeyIsA400NamingTheHeaderAndStoresNothing() {
        String tenant = newTenantKey();
        String body = aChatBatch().requests(1, uniqueModel("idem")).json();

        Reply refused = expect(400, postWithKey("/v1/batches", tenant, "k".repeat(256), body));
        assertThat(refused.error().get("param").asString()).isEqualTo("Idempotency-Key");
        assertThat(refused.error().get("code").asString()).isEqualTo("invalid_idempotency_key");
        // java.net.http would turn a non-ASCII character into '?', so the raw bytes go over a socket.
        assertThat(rawPost("/v1/batches", tenant, "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1), body))
                .startsWith("HTTP/1.1 400")
                .contains("Idempotency-Key");
        expect(
                400,
                postWithKey(
                        "/v1/jobs",
                        tenant,
                        "k".repeat(256),
                        "{\"url\":\"/v1/embeddings\",\"body\":{\"model\":\"m\",\"input\":\"x\"}}"));
        assertThat(batchesOf(tenant)).isZero();
        expect(200, postWithKey("/v1/batches", tenant, "k".repeat(255), body));
    }

    @Test
    void aKeyOlderThan24HoursIsFreeAgain() {
        String tenant = newTenantKey();
        String body = aChatBatch().requests(1, uniqueModel("idem")).json();
        String first = expect(200, postWithKey("/v1/batches", tenant, "old", body))
                .json()
                .get("id")
                .asString();
        jdbc.sql("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE object_id = :id")
                .param("id", first)
                .update();

        String second = expect(200, postWithKey("/v1/batches", tenant, "old", body))
                .json()
                .get("id")
                .asString();

        assertThat(second).isNotEqualTo(first);
        assertThat(batchesOf(tenant)).isEqualTo(2);
        assertThat(keyObject(first, "old", "batch")).isEqualTo(second);
    }

    @Test
    void concurrentRequestsWithOneKeyCreateExactlyOneBatch() throws Exception {
        String tenant = newTenantKey();
        String model = uniqueModel("idem-race");
        String body = aChatBatch().requests(50, model).json();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Reply>> replies = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 8; i++) {
                replies.add(pool.submit(() -> {
                    start.await();
                    return postWithKey("/v1/batches", tenant, "race", body);
                }));
            }
            start.countDown();
        }

        List<String> ids = new ArrayList<>();
        for (Future<Reply> reply : replies) {
            ids.add(expect(200, reply.get()).json().get("id").asString());
        }
        assertThat(ids).hasSize(8).containsOnly(ids.get(0));
        assertThat(batchesOf(tenant)).isEqualTo(1);
        assertThat(jdbc.sql(
                                "SELECT count(*) FROM jobs WHERE tenant_id = (SELECT tenant_id FROM batches WHERE id = :id)")
                        .param("id", ids.get(0))
                        .query(Long.class)
                        .single())
                .isEqualTo(50);
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(queueDepth(model)).isEqualTo(50L));
    }

    /** Posts with the Idempotency-Key header's bytes exactly as given; the whole response as text. */
    private String rawPost(String path, String tenantKey, byte[] idempotencyKey, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("localhost", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + tenantKey
                            + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                            + body.length
                            + "\r\nIdempotency-Key: ")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(idempotencyKey);
            out.write("\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tenant's batches, counted through the API's own listing. */
    private int batchesOf(String tenantKey) {
        return expect(200, get("/v1/batches?limit=100", tenantKey))
                .json()
                .get("data")
                .size();
    }

    private String tenantOf(String jobId) {
        return jdbc.sql("SELECT tenant_id FROM jobs WHERE id = :id")
                .param("id", jobId)
                .query(String.class)
                .single();
    }

    /** The object the key stands for, among the keys of the tenant owning batch {@code batchId}. */
    private String keyObject(String batchId, String key, String type) {
        return jdbc.sql("""
                SELECT object_id FROM idempotency_keys
                 WHERE key = :key AND object_type = :type
                   AND tenant_id = (SELECT tenant_id FROM batches WHERE id = :batchId)
                """)
                .param("key", key)
                .param("type", type)
                .param("batchId", batchId)
                .query(String.class)
                .single();
    }
}
