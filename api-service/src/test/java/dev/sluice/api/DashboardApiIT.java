package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static dev.sluice.api.FinishedJobs.finish;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * What the dashboard stands on, over plain HTTP: sign-in and its session cookie (and CSRF token) on
 * {@code /admin/**}, and the admin endpoints it added: batch search, a batch's cancel, a job in full, and
 * webhook deliveries with redeliver.
 */
class DashboardApiIT extends ApiTestBase {

    @Test
    void signInGivesACookieSessionWhoseChangesNeedTheCsrfToken() {
        Reply refused = send(form("admin_key=" + ADMIN_KEY + "x"));
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.body()).contains("Sign-in failed.").doesNotContain(ADMIN_KEY);

        Session session = signIn();
        assertThat(session.setCookies())
                .anySatisfy(c -> assertThat(c)
                        .startsWith("sluice_session=")
                        .contains("HttpOnly")
                        .contains("SameSite=Strict")
                        .doesNotContain(ADMIN_KEY));
        assertThat(expect(200, send(withCookie("/admin/queues", session).GET().build()))
                        .json()
                        .get("object")
                        .asString())
                .isEqualTo("list");

        String model = uniqueModel("dash-csrf");
        Reply noToken = send(withCookie("/admin/pause", session)
                .header("Content-Type", "application/json")
                .POST(body("{\"model\":\"" + model + "\"}"))
                .build());
        assertThat(noToken.status()).isEqualTo(403);
        assertThat(noToken.error().get("code").asString()).isEqualTo("invalid_csrf_token");
        assertThat(jdbc.sql("SELECT count(*) FROM models WHERE model = :m")
                        .param("m", model)
                        .query(Long.class)
                        .single())
                .isZero();

        expect(
                200,
                send(withCookie("/admin/pause", session)
                        .header("Content-Type", "application/json")
                        .header("X-CSRF-Token", session.csrf())
                        .POST(body("{\"model\":\"" + model + "\"}"))
                        .build()));
        assertThat(jdbc.sql("SELECT paused FROM models WHERE model = :m")
                        .param("m", model)
                        .query(Boolean.class)
                        .single())
                .isTrue();

        // Without a session the page is the sign-in form; a forged cookie is no session.
        assertThat(send(request("/dashboard/", null).GET().build()).body()).contains("name=\"admin_key\"");
        assertThat(send(request("/admin/queues", null)
                                .header("Cookie", "sluice_session=v1.9999999999.AAAA.BBBB")
                                .GET()
                                .build())
                        .status())
                .isEqualTo(401);
    }

    @Test
    void searchesBatchesByIdTenantAndMetadata() {
        String key = newTenantKey();
        String tag = "dash-" + dev.sluice.common.Ids.random(4);
        String model = uniqueModel("dash-search");
        String first = createBatch(
                key,
                aChatBatch()
                        .requests(1, model)
                        .with("metadata", Map.of("project", tag))
                        .json());
        String second = createBatch(
                key,
                aChatBatch()
                        .requests(1, model)
                        .with("metadata", Map.of("owner", "Ana " + tag.toUpperCase()))
                        .json());
        String other = createBatch(
                newTenantKey(),
                aChatBatch()
                        .requests(1, model)
                        .with("metadata", Map.of("project", tag + "-x"))
                        .json());

        assertThat(ids("/admin/batches?metadata=project%3D" + tag)).containsExactly(first);
        assertThat(ids("/admin/batches?metadata=" + tag)).containsExactly(other, second, first);
        assertThat(ids("/admin/batches?metadata=owner%3D")).contains(second).doesNotContain(first, other);
        assertThat(ids("/admin/batches?metadata=" + tag + "&tenant=" + tenantOf(first)))
                .containsExactly(second, first);
        assertThat(ids("/admin/batches?id=" + second)).containsExactly(second);
        JsonNode row = expect(200, get("/admin/batches/" + first, ADMIN_KEY)).json();
        assertThat(row.get("tenant_id").asString()).isEqualTo(tenantOf(first));
        assertThat(row.get("batch").get("metadata").get("project").asString()).isEqualTo(tag);

        expect(400, get("/admin/batches?tenant=a%20b", ADMIN_KEY));
        expect(404, get("/admin/batches/batch_nothing", ADMIN_KEY));
        expect(401, get("/admin/batches", null));
        expect(403, get("/admin/batches", key));
    }

    @Test
    void cancelsAnyTenantsBatch() {
        String batch = createBatch(
                newTenantKey(),
                aChatBatch().requests(2, uniqueModel("dash-cancel")).json());

        JsonNode cancelled = expect(200, post("/admin/batches/" + batch + "/cancel", ADMIN_KEY, ""))
                .json();

        assertThat(cancelled.get("batch").get("status").asString()).isEqualTo("cancelling");
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE batch_id = :id AND status = 'cancelled'")
                        .param("id", batch)
                        .query(Long.class)
                        .single())
                .isEqualTo(2);
    }

    @Test
    void showsAJobInFullWithTheRateLimitsItMet() {
        String model = uniqueModel("dash-job");
        String batch =
                createBatch(newTenantKey(), aChatBatch().requests(1, model).json());
        finish(jdbc).succeeded(batch, 1);
        String job = jdbc.sql("SELECT id FROM jobs WHERE batch_id = :id")
                .param("id", batch)
                .query(String.class)
                .single();
        jdbc.sql("""
                INSERT INTO rate_limit_events (model, credential, job_id, occurred_at, message, learned_unit, learned_amount,
                                               learned_window_ms)
                VALUES (:model, 'key-1', :job, now(), 'Rate limit of 15 per 60s exceeded', 'requests', 15, 60000),
                       (:model, 'key-1', 'job_someoneelse', now(), 'Rate limit of 15 per 60s exceeded', 'requests', 15, 60000)""").param("model", model).param("job", job).update();

        JsonNode detail = expect(200, get("/admin/jobs/" + job, ADMIN_KEY)).json();

        assertThat(detail.get("job").get("status").asString()).isEqualTo("succeeded");
        assertThat(detail.get("request").get("model").asString()).isEqualTo(model);
        assertThat(detail.get("response").get("status_code").asInt()).isEqualTo(200);
        assertThat(detail.get("response").get("body").get("id").asString()).isEqualTo("chatcmpl-1");
        assertThat(detail.get("rate_limit_events")).hasSize(1);
        assertThat(detail.get("rate_limit_events")
                        .get(0)
                        .get("learned")
                        .get("requests")
                        .asInt())
                .isEqualTo(15);
        expect(404, get("/admin/jobs/job_nothing", ADMIN_KEY));
    }

    @Test
    void listsAndRedeliversWebhookAttempts() {
        String batch = createBatch(
                newTenantKey(),
                aChatBatch().requests(1, uniqueModel("dash-hook")).json());
        String tenant = tenantOf(batch);
        String event = "evt_" + dev.sluice.common.Ids.random(8);
        String delivery = "whdel_" + dev.sluice.common.Ids.random(8);
        jdbc.sql("""
                INSERT INTO webhook_events (id, tenant_id, subject_id, type, url, payload, status, attempts,
                                            round_attempts, created_at)
                VALUES (:event, :tenant, :batch, 'batch.completed', 'https://hooks.example.com/x', '{}', 'failed', 1, 1,
                        now())""")
                .param("event", event)
                .param("tenant", tenant)
                .param("batch", batch)
                .update();
        jdbc.sql("""
                INSERT INTO webhook_deliveries (id, event_id, tenant_id, subject_id, attempt, url, status,
                                                response_status, error, duration_ms, attempted_at)
                VALUES (:id, :event, :tenant, :batch, 1, 'https://hooks.example.com/x', 'failed', 500, 'HTTP 500', 10,
                        now())""")
                .param("id", delivery)
                .param("event", event)
                .param("tenant", tenant)
                .param("batch", batch)
                .update();

        JsonNode list = expect(200, get("/admin/webhook-deliveries?status=failed&subject_id=" + batch, ADMIN_KEY))
                .json();
        assertThat(list.get("data")).hasSize(1);
        assertThat(list.get("data").get(0).get("tenant_id").asString()).isEqualTo(tenant);
        assertThat(list.get("data").get(0).get("delivery").get("id").asString()).isEqualTo(delivery);
        expect(400, get("/admin/webhook-deliveries?status=lost", ADMIN_KEY));

        expect(202, post("/admin/webhook-deliveries/" + delivery + "/redeliver", ADMIN_KEY, ""));

        assertThat(jdbc.sql("SELECT status FROM webhook_events WHERE id = :id")
                        .param("id", event)
                        .query(String.class)
                        .single())
                .isEqualTo("pending");
        // Pending again, so a second redeliver is refused until the worker has tried it.
        expect(409, post("/admin/webhook-deliveries/" + delivery + "/redeliver", ADMIN_KEY, ""));
        expect(404, post("/admin/webhook-deliveries/whdel_nothing/redeliver", ADMIN_KEY, ""));
    }

    /** The cookies and CSRF token a sign-in gave. */
    private record Session(List<String> setCookies, String cookie, String csrf) {}

    private Session signIn() {
        try {
            var response = java.net.http.HttpClient.newHttpClient()
                    .send(form("admin_key=" + ADMIN_KEY), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(303);
            List<String> setCookies = response.headers().allValues("Set-Cookie");
            List<String> pairs = new ArrayList<>();
            String csrf = null;
            for (String c : setCookies) {
                String pair = c.substring(0, c.indexOf(';'));
                pairs.add(pair);
                if (pair.startsWith("sluice_csrf=")) {
                    csrf = pair.substring("sluice_csrf=".length());
                }
            }
            return new Session(setCookies, String.join("; ", pairs), csrf);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest form(String body) {
        return request("/dashboard/sign-in", null)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(body(body))
                .build();
    }

    private HttpRequest.Builder withCookie(String path, Session session) {
        return request(path, null).header("Cookie", session.cookie());
    }

    private static HttpRequest.BodyPublisher body(String text) {
        return HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8);
    }

    private List<String> ids(String path) {
        List<String> ids = new ArrayList<>();
        expect(200, get(path, ADMIN_KEY))
                .json()
                .get("data")
                .forEach(row -> ids.add(row.get("batch").get("id").asString()));
        return ids;
    }

    private String tenantOf(String batchId) {
        return jdbc.sql("SELECT tenant_id FROM batches WHERE id = :id")
                .param("id", batchId)
                .query(String.class)
                .single();
    }
}
