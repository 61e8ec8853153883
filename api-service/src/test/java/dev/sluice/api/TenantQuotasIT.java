package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static dev.sluice.api.Uploads.anUpload;
import static dev.sluice.api.Uploads.chatLines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Per-tenant quotas: each one refuses with 429 {@code quota_exceeded} naming the quota, its limit and the use, and
 * leaves nothing behind (no batch, job, file or message); an override beats the default and null returns to it;
 * concurrent submissions cannot both pass the queued-jobs quota; {@code /admin/tenants} shows weight, quotas and use.
 */
class TenantQuotasIT extends ApiTestBase {

    private record TestTenant(String key, String id) {}

    @Test
    void aBatchOrJobOverTheQueuedJobsQuotaIsRefusedWholeAndStoresNothing() {
        TestTenant tenant = newTenant();
        String model = uniqueModel("quota-jobs");
        setQuotas(tenant, "{\"queued_jobs\":3}");

        createBatch(tenant.key(), aChatBatch().requests(2, model).json());
        long batches = rows("batches");
        long jobs = rows("jobs");
        long files = rows("files");

        Reply refused = expect(
                429,
                post(
                        "/v1/batches",
                        tenant.key(),
                        aChatBatch().requests(2, model).json()));
        assertQuotaExceeded(refused, "queued_jobs", 3, 2, 2);
        assertThat(refused.error().get("message").asString()).contains("queued_jobs", "limit 3", "2 in use");
        Reply uploaded =
                send(anUpload().file("in.jsonl", chatLines(2, model)).request(request("/v1/files", tenant.key())));
        String fileId = expect(200, uploaded).json().get("id").asString();
        expect(
                429,
                post(
                        "/v1/batches",
                        tenant.key(),
                        "{\"input_file_id\":\"" + fileId + "\",\"endpoint\":\"/v1/chat/completions\","
                                + "\"completion_window\":\"24h\"}"));
        assertThat(rows("batches")).isEqualTo(batches);
        assertThat(rows("jobs")).isEqualTo(jobs);
        assertThat(rows("files")).isEqualTo(files + 1); // the upload only
        assertThat(queueDepth(model)).isEqualTo(2);

        String job = "{\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"" + model + "\",\"messages\":[]}}";
        expect(202, post("/v1/jobs", tenant.key(), job));
        assertQuotaExceeded(expect(429, post("/v1/jobs", tenant.key(), job)), "queued_jobs", 3, 3, 1);
        assertThat(rows("jobs")).isEqualTo(jobs + 1);
        assertThat(queueDepth(model)).isEqualTo(3);
        assertThat(quota(tenant, "queued_jobs").get("used").asLong()).isEqualTo(3);

        assertThat(expect(200, get("/actuator/prometheus", ADMIN_KEY)).body())
                .containsPattern("sluice_quota_exceeded_total\\{[^}]*quota=\"queued_jobs\"[^}]*\\} [1-9]");

        // A finished job frees its place.
        jdbc.sql("UPDATE jobs SET status = 'cancelled', completed_at = now() WHERE tenant_id = :t AND batch_id IS NULL")
                .param("t", tenant.id())
                .update();
        expect(202, post("/v1/jobs", tenant.key(), job));
    }

    @Test
    void anOverrideBeatsTheDefaultAndNullReturnsToIt() {
        TestTenant limited = newTenant();
        TestTenant other = newTenant();
        String model = uniqueModel("quota-override");
        JsonNode changed = expect(
                        200,
                        patch(
                                "/admin/tenants/" + limited.id(),
                                ADMIN_KEY,
                                "{\"weight\":3,\"quotas\":{\"queued_jobs\":1,\"stored_bytes\":10}}"))
                .json();
        assertThat(changed.get("weight").asInt()).isEqualTo(3);
        assertThat(changed.at("/quotas/queued_jobs/limit").asLong()).isEqualTo(1);
        assertThat(changed.at("/quotas/queued_jobs/source").asString()).isEqualTo("override");
        assertThat(changed.at("/quotas/stored_bytes/limit").asLong()).isEqualTo(10);
        assertThat(changed.at("/quotas/event_streams/source").asString()).isEqualTo("default");
        assertThat(changed.at("/quotas/event_streams/limit").asLong()).isEqualTo(100);

        expect(
                429,
                post(
                        "/v1/batches",
                        limited.key(),
                        aChatBatch().requests(2, model).json()));
        createBatch(other.key(), aChatBatch().requests(2, model).json());

        // Only the fields given change: the weight and stored_bytes stay.
        JsonNode reset = expect(
                        200, patch("/admin/tenants/" + limited.id(), ADMIN_KEY, "{\"quotas\":{\"queued_jobs\":null}}"))
                .json();
        assertThat(reset.at("/quotas/queued_jobs/source").asString()).isEqualTo("default");
        assertThat(reset.at("/quotas/queued_jobs/limit").asLong()).isEqualTo(1_000_000);
        assertThat(reset.get("weight").asInt()).isEqualTo(3);
        assertThat(reset.at("/quotas/stored_bytes/source").asString()).isEqualTo("override");
        createBatch(limited.key(), aChatBatch().requests(2, model).json());

        JsonNode listed = expect(200, get("/admin/tenants", ADMIN_KEY)).json();
        JsonNode row = null;
        for (JsonNode tenant : listed.get("data")) {
            if (tenant.get("id").asString().equals(limited.id())) {
                row = tenant;
            }
        }
        assertThat(row).isNotNull();
        assertThat(row.get("object").asString()).isEqualTo("tenant");
        assertThat(row.at("/quotas/queued_jobs/used").asLong()).isEqualTo(2);
        assertThat(row.get("weight").asInt()).isEqualTo(3);
        assertThat(expect(200, patch("/admin/tenants/" + limited.id(), ADMIN_KEY, "{\"weight\":null}"))
                        .json()
                        .get("weight")
                        .asInt())
                .isEqualTo(1);
    }

    @Test
    void badChangesAreRefusedAndChangeNothing() {
        TestTenant tenant = newTenant();
        String path = "/admin/tenants/" + tenant.id();
        assertThat(expect(400, patch(path, ADMIN_KEY, "{\"weight\":0}"))
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("weight");
        assertThat(expect(400, patch(path, ADMIN_KEY, "{\"weight\":1.5}"))
                        .error()
                        .get("code")
                        .asString())
                .isEqualTo("invalid_weight");
        assertThat(expect(400, patch(path, ADMIN_KEY, "{\"quotas\":{\"queued_jobs\":-1}}"))
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("quotas.queued_jobs");
        assertThat(expect(400, patch(path, ADMIN_KEY, "{\"quotas\":{\"files\":1}}"))
                        .error()
                        .get("code")
                        .asString())
                .isEqualTo("unknown_parameter");
        expect(400, patch(path, ADMIN_KEY, "{\"quotas\":{\"queued_jobs\":1},\"colour\":\"red\"}"));
        expect(400, patch(path, ADMIN_KEY, "{\"quotas\":3}"));
        expect(404, patch("/admin/tenants/tenant_missing", ADMIN_KEY, "{\"weight\":2}"));
        expect(404, get("/admin/tenants/tenant_missing", ADMIN_KEY));
        expect(403, get("/admin/tenants", tenant.key()));

        JsonNode unchanged = expect(200, get(path, ADMIN_KEY)).json();
        assertThat(unchanged.get("weight").asInt()).isEqualTo(1);
        assertThat(unchanged.at("/quotas/queued_jobs/source").asString()).isEqualTo("default");
    }

    @Test
    void concurrentSubmissionsCannotTogetherPassTheQueuedJobsQuota() throws Exception {
        TestTenant tenant = newTenant();
        String model = uniqueModel("quota-race");
        setQuotas(tenant, "{\"queued_jobs\":10}");
        String batch = aChatBatch().requests(3, model).json();

        int submissions = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Reply>> replies = new ArrayList<>();
        for (int i = 0; i < submissions; i++) {
            replies.add(CompletableFuture.supplyAsync(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return post("/v1/batches", tenant.key(), batch);
            }));
        }
        start.countDown();
        List<Integer> statuses = replies.stream().map(r -> r.join().status()).toList();

        assertThat(statuses).containsOnly(200, 429);
        assertThat(statuses.stream().filter(s -> s == 200)).hasSize(3);
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE tenant_id = :t")
                        .param("t", tenant.id())
                        .query(Long.class)
                        .single())
                .isEqualTo(9);
        assertThat(jdbc.sql("SELECT count(*) FROM batches WHERE tenant_id = :t")
                        .param("t", tenant.id())
                        .query(Long.class)
                        .single())
                .isEqualTo(3);
        await().atMost(Duration.ofSeconds(10)).until(() -> queueDepth(model) == 9);
    }

    @Test
    void anUploadOverTheStoredBytesQuotaIsRefusedAndStoresNothing() {
        TestTenant tenant = newTenant();
        String model = uniqueModel("quota-bytes");
        String lines = chatLines(2, model);
        int size = lines.getBytes(StandardCharsets.UTF_8).length;
        setQuotas(tenant, "{\"stored_bytes\":" + (size + size / 2) + "}");

        String first = expect(200, upload(tenant, lines)).json().get("id").asString();
        long files = rows("files");
        long parts = rows("file_parts");
        Reply refused = expect(429, upload(tenant, lines));
        assertQuotaExceeded(refused, "stored_bytes", size + size / 2, size, size);
        assertThat(rows("files")).isEqualTo(files);
        assertThat(rows("file_parts")).isEqualTo(parts);
        assertThat(quota(tenant, "stored_bytes").get("used").asLong()).isEqualTo(size);

        // A deleted file frees its bytes.
        expect(200, delete("/v1/files/" + first, tenant.key()));
        expect(200, upload(tenant, lines));
    }

    @Test
    void anEventStreamOverTheQuotaIsRefusedAndAClosedOneFreesItsPlace() throws Exception {
        TestTenant tenant = newTenant();
        setQuotas(tenant, "{\"event_streams\":1}");
        String batch = createBatch(
                tenant.key(), aChatBatch().requests(1, uniqueModel("quota-sse")).json());
        List<SseEvents.Event> events = new CopyOnWriteArrayList<>();
        HttpClient client = HttpClient.newHttpClient();
        try {
            CompletableFuture<HttpResponse<Void>> open = client.sendAsync(
                    request("/v1/batches/" + batch + "/events", tenant.key())
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.fromLineSubscriber(new SseEvents(events)));
            await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 1);

            Reply refused = expect(429, get("/v1/batches/" + batch + "/events", tenant.key()));
            assertQuotaExceeded(refused, "event_streams", 1, 1, 1);
            assertThat(refused.contentType()).startsWith("application/json");
            assertThat(quota(tenant, "event_streams").get("used").asLong()).isEqualTo(1);
            open.cancel(true);
        } finally {
            // Not close(): it would wait for the stream, which never ends by itself.
            client.shutdownNow();
        }
        // The server notices the closed stream at its next write (a keep-alive at the latest) and frees the place.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> quota(tenant, "event_streams").get("used").asLong() == 0);
    }

    @Test
    void aFacadeCallOverTheWaitingCallsQuotaIsRefusedAndStoresNoJob() {
        TestTenant tenant = newTenant();
        setQuotas(tenant, "{\"waiting_facade_calls\":1}");
        String body = "{\"model\":\"" + uniqueModel("quota-facade") + "\",\"messages\":[]}";
        CompletableFuture<Reply> waiting = CompletableFuture.supplyAsync(() -> facadeCall(tenant, body, "8000"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> quota(tenant, "waiting_facade_calls").get("used").asLong() == 1);

        Reply refused =
                expect(429, facadeCall(tenant, body.replace("[]", "[{\"role\":\"user\",\"content\":\"x\"}]"), "4000"));
        assertQuotaExceeded(refused, "waiting_facade_calls", 1, 1, 1);
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE tenant_id = :t")
                        .param("t", tenant.id())
                        .query(Long.class)
                        .single())
                .isEqualTo(1);

        expect(504, waiting.join());
        assertThat(quota(tenant, "waiting_facade_calls").get("used").asLong()).isEqualTo(0);
    }

    @Test
    void aFacadeCallOverTheQueuedJobsQuotaIsRefusedAndLeavesNoJobNorLease() {
        TestTenant tenant = newTenant();
        setQuotas(tenant, "{\"queued_jobs\":1,\"waiting_facade_calls\":5}");
        String body = "{\"model\":\"" + uniqueModel("quota-facade-jobs") + "\",\"messages\":[]}";
        CompletableFuture<Reply> waiting = CompletableFuture.supplyAsync(() -> facadeCall(tenant, body, "8000"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> quota(tenant, "waiting_facade_calls").get("used").asLong() == 1);

        Reply refused =
                expect(429, facadeCall(tenant, body.replace("[]", "[{\"role\":\"user\",\"content\":\"y\"}]"), "4000"));
        assertQuotaExceeded(refused, "queued_jobs", 1, 1, 1);
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE tenant_id = :t")
                        .param("t", tenant.id())
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        assertThat(quota(tenant, "waiting_facade_calls").get("used").asLong())
                .as("the refused call's lease went with its transaction")
                .isEqualTo(1);

        // Both quotas full: the waiting-calls quota is the one reported.
        setQuotas(tenant, "{\"queued_jobs\":1,\"waiting_facade_calls\":1}");
        assertQuotaExceeded(
                expect(429, facadeCall(tenant, body.replace("[]", "[{\"role\":\"user\",\"content\":\"z\"}]"), "4000")),
                "waiting_facade_calls",
                1,
                1,
                1);

        expect(504, waiting.join());
        assertThat(quota(tenant, "waiting_facade_calls").get("used").asLong()).isEqualTo(0);
    }

    @Test
    void aStreamHeldOnAnotherReplicaCountsUntilItsLeaseRunsOut() {
        TestTenant tenant = newTenant();
        setQuotas(tenant, "{\"event_streams\":1}");
        String batch = createBatch(
                tenant.key(),
                aChatBatch().requests(1, uniqueModel("quota-lease")).json());
        // Another api replica's open stream, as its lease row.
        jdbc.sql("""
                INSERT INTO quota_leases (id, tenant_id, kind, expires_at)
                VALUES ('ql_other_replica', :t, 'event_streams', now() + interval '1 hour')""").param("t", tenant.id()).update();
        assertThat(quota(tenant, "event_streams").get("used").asLong()).isEqualTo(1);
        assertQuotaExceeded(
                expect(429, get("/v1/batches/" + batch + "/events", tenant.key())), "event_streams", 1, 1, 1);

        // That replica died: nothing renews its lease, which runs out.
        jdbc.sql("UPDATE quota_leases SET expires_at = now() - interval '1 second' WHERE id = 'ql_other_replica'")
                .update();
        assertThat(quota(tenant, "event_streams").get("used").asLong()).isZero();
        jdbc.sql("UPDATE batches SET status = 'cancelled', cancelled_at = now(), request_completed = 0, "
                        + "request_failed = 0 WHERE id = :id")
                .param("id", batch)
                .update();
        // A settled batch's stream ends at once: it was let in.
        assertThat(expect(200, get("/v1/batches/" + batch + "/events", tenant.key()))
                        .body())
                .contains("event: batch.cancelled");
    }

    private Reply facadeCall(TestTenant tenant, String body, String maxWaitMillis) {
        return send(request("/v1/chat/completions", tenant.key())
                .header("Content-Type", "application/json")
                .header("X-Sluice-Max-Wait", maxWaitMillis)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build());
    }

    private Reply upload(TestTenant tenant, String lines) {
        return send(anUpload().file("in.jsonl", lines).request(request("/v1/files", tenant.key())));
    }

    private static void assertQuotaExceeded(Reply reply, String quota, long limit, long used, long requested) {
        JsonNode error = reply.error();
        assertThat(error.get("code").asString()).isEqualTo("quota_exceeded");
        assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.get("quota").asString()).isEqualTo(quota);
        assertThat(error.get("limit").asLong()).isEqualTo(limit);
        assertThat(error.get("used").asLong()).isEqualTo(used);
        assertThat(error.get("requested").asLong()).isEqualTo(requested);
        assertThat(error.get("message").asString()).contains(quota, "limit " + limit);
    }

    private JsonNode quota(TestTenant tenant, String quota) {
        return expect(200, get("/admin/tenants/" + tenant.id(), ADMIN_KEY))
                .json()
                .at("/quotas/" + quota);
    }

    private void setQuotas(TestTenant tenant, String quotas) {
        expect(200, patch("/admin/tenants/" + tenant.id(), ADMIN_KEY, "{\"quotas\":" + quotas + "}"));
    }

    private TestTenant newTenant() {
        JsonNode created = expect(201, post("/admin/api-keys", ADMIN_KEY, "{\"name\":\"quota tenant\"}"))
                .json();
        return new TestTenant(
                created.get("key").asString(), created.get("tenant_id").asString());
    }
}
