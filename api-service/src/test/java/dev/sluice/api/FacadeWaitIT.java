package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.db.cache.CacheKey;
import dev.sluice.db.cache.CachedResponse;
import dev.sluice.db.cache.ResponseCacheRepository;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The facade's waiting, refusing and giving up, with no worker: the test plays the worker by finishing the
 * job row itself, as a worker's commit would (the trigger's notification included).
 */
class FacadeWaitIT extends ApiTestBase {

    @Autowired
    private ResponseCacheRepository responseCache;

    private static final Pattern JOB_ID = Pattern.compile("job_[A-Za-z0-9]+");

    @Test
    void badCallsAreRefusedInOpenAiFormAndLeaveNothingBehind() {
        String key = newTenantKey();
        long jobs = rows("jobs");

        assertThat(expect(400, post("/v1/chat/completions", key, "{not json"))
                        .error()
                        .get("code")
                        .asString())
                .isEqualTo("invalid_json");
        assertThat(expect(400, post("/v1/chat/completions", key, "[1]"))
                        .error()
                        .get("code")
                        .asString())
                .isEqualTo("invalid_json");
        assertThat(expect(400, post("/v1/chat/completions", key, "{\"messages\":[]}"))
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("model");
        assertThat(expect(400, post("/v1/completions", key, "{\"model\":7}"))
                        .error()
                        .get("code")
                        .asString())
                .isEqualTo("invalid_model");
        assertThat(expect(400, post("/v1/chat/completions", key, "{\"model\":\"m\",\"stream\":\"yes\"}"))
                        .error()
                        .get("code")
                        .asString())
                .isEqualTo("invalid_stream");
        assertThat(expect(400, post("/v1/embeddings", key, "{\"model\":\"m\",\"input\":\"x\",\"stream\":true}"))
                        .error()
                        .get("code")
                        .asString())
                .isEqualTo("invalid_stream");
        assertThat(expect(400, call(key, "{\"model\":\"m\"}", "X-Sluice-Max-Wait", "soon"))
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("X-Sluice-Max-Wait");
        expect(401, post("/v1/chat/completions", "sk-wrong", "{\"model\":\"m\"}"));

        assertThat(rows("jobs")).isEqualTo(jobs);
    }

    @Test
    void aCallerThatGivesUpGetsA504NamingItsJobWhichStaysQueued() {
        String key = newTenantKey();
        String model = uniqueModel("facade-wait");

        Reply reply =
                expect(504, call(key, "{\"model\":\"" + model + "\",\"messages\":[]}", "X-Sluice-Max-Wait", "300"));

        assertThat(reply.error().get("code").asString()).isEqualTo("wait_timeout");
        String jobId = jobId(reply.error().get("message").asString());
        assertThat(reply.error().get("message").asString()).contains("will still run", "GET /v1/jobs/" + jobId);
        Reply job = expect(200, get("/v1/jobs/" + jobId, key));
        assertThat(job.json().get("status").asString()).isEqualTo("queued");
        assertThat(job.json().get("priority").asInt())
                .as("first among its tenant's jobs")
                .isEqualTo(10);
        assertThat(queueDepth(model)).isEqualTo(1);
    }

    @Test
    void aCallerThatGivesUpAndAsksForItCancelsItsQueuedJob() {
        String key = newTenantKey();
        HttpRequest request = request("/v1/chat/completions", key)
                .header("Content-Type", "application/json")
                .header("X-Sluice-Max-Wait", "300")
                .header("X-Sluice-Cancel-If-Queued", "true")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + uniqueModel("facade-cancel") + "\"}"))
                .build();

        Reply reply = expect(504, send(request));

        String jobId = jobId(reply.error().get("message").asString());
        assertThat(reply.error().get("message").asString()).contains("had not started and was cancelled");
        assertThat(get("/v1/jobs/" + jobId, key).json().get("status").asString())
                .isEqualTo("cancelled");
    }

    @Test
    void theWaitingCallerGetsTheProvidersStatusAndBodyAsTheyCame() {
        String key = newTenantKey();
        CompletableFuture<Reply> ok = waiting(key);
        finish(queuedJobOf(key), "succeeded", 200, "{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion\"}", null);
        Reply answer = ok.join();
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().get("id").asString()).isEqualTo("chatcmpl-9");

        CompletableFuture<Reply> refused = waiting(key);
        finish(queuedJobOf(key), "failed", 404, "{\"error\":{\"message\":\"no such model\",\"type\":\"x\"}}", null);
        Reply refusal = refused.join();
        assertThat(refusal.status()).isEqualTo(404);
        assertThat(refusal.error().get("message").asString()).isEqualTo("no such model");

        CompletableFuture<Reply> unanswered = waiting(key);
        String jobId = queuedJobOf(key);
        finish(jobId, "failed", null, null, "request_timeout");
        Reply failure = unanswered.join();
        assertThat(failure.status()).isEqualTo(502);
        assertThat(failure.error().get("code").asString()).isEqualTo("request_timeout");
        assertThat(failure.error().get("message").asString()).contains(jobId);
    }

    @Test
    void aStreamingCallGetsTheAnswerAsChunks() {
        String key = newTenantKey();
        CompletableFuture<Reply> streamed = CompletableFuture.supplyAsync(() -> post(
                "/v1/chat/completions",
                key,
                "{\"model\":\"" + uniqueModel("facade-stream") + "\",\"stream\":true,\"messages\":[]}"));
        String jobId = queuedJobOf(key);
        // Stored as sent: a worker that does not relay streams drops "stream" itself.
        assertThat(jdbc.sql("SELECT body FROM jobs WHERE id = :id")
                        .param("id", jobId)
                        .query(String.class)
                        .single())
                .contains("\"stream\":true");
        finish(jobId, "succeeded", 200, """
                {"id":"c1","object":"chat.completion","created":1,"model":"m",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"hello there"},"finish_reason":"stop"}]}""", null);

        Reply reply = streamed.join();
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.contentType()).startsWith("text/event-stream");
        assertThat(reply.body())
                .contains("\"object\":\"chat.completion.chunk\"", "hello there")
                .endsWith("data: [DONE]\n\n");
    }

    @Test
    void aStreamingCallerThatGoesAwayIsNoticedAtAKeepAliveAndItsQueuedJobCancelledWhenAsked() throws Exception {
        String key = newTenantKey();
        String body = "{\"model\":\"" + uniqueModel("facade-gone") + "\",\"stream\":true,\"messages\":[]}";
        String jobId;
        try (Socket socket = new Socket("localhost", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
                            + "\r\nContent-Type: application/json\r\nX-Sluice-Cancel-If-Queued: true\r\nContent-Length: "
                            + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String line = in.readLine();
            assertThat(line).startsWith("HTTP/1.1 200");
            while (!(line = in.readLine()).startsWith(": waiting for ")) {
                // headers and chunk sizes until the first keep-alive comment
            }
            jobId = jobId(line);
        }

        await().atMost(Duration.ofSeconds(10))
                .until(() -> get("/v1/jobs/" + jobId, key).json().get("status").asString(), "cancelled"::equals);
    }

    @Test
    void deterministicCallsAreCountedAsCacheHitsOrMissesByModel() {
        String key = newTenantKey();
        String model = uniqueModel("facade-cached");
        String asked = "{\"model\":\"" + model
                + "\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"again\"}]}";
        Instant now = Instant.now();
        responseCache.put(
                tenantOf(key),
                CacheKey.of("/v1/chat/completions", asked).orElseThrow(),
                "/v1/chat/completions",
                new CachedResponse(200, "{\"id\":\"chatcmpl-kept\",\"object\":\"chat.completion\"}", 1, 1, 2),
                now,
                now.plus(Duration.ofHours(1)));

        Reply hit = expect(200, call(key, asked, "X-Sluice-Max-Wait", "5000"));
        assertThat(hit.json().get("id").asString()).isEqualTo("chatcmpl-kept");
        // Not cached: a miss, whose job is left queued when the caller gives up.
        expect(504, call(key, asked.replace("again", "new"), "X-Sluice-Max-Wait", "300"));
        // Not deterministic: no lookup, counted nowhere.
        expect(504, call(key, "{\"model\":\"" + model + "\",\"messages\":[]}", "X-Sluice-Max-Wait", "300"));

        String scraped = expect(200, get("/actuator/prometheus", ADMIN_KEY)).body();
        assertThat(sample(scraped, "sluice_cache_hits_total", model, "facade")).isEqualTo(1.0);
        assertThat(sample(scraped, "sluice_cache_misses_total", model, "facade"))
                .isEqualTo(1.0);
        assertThat(sample(scraped, "sluice_cache_hits_total", model, "single_flight"))
                .isZero();
    }

    @Test
    void anIdenticalCallThatRunsOutOfTimeWhileFollowingGetsA504NamingTheFirstCallsJobAndStartsNone() {
        String key = newTenantKey();
        String asked = "{\"model\":\"" + uniqueModel("facade-follow")
                + "\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"same\"}]}";
        CompletableFuture<Reply> first =
                CompletableFuture.supplyAsync(() -> call(key, asked, "X-Sluice-Max-Wait", "30000"));
        String leadersJob = queuedJobOf(key);

        Reply follower = expect(504, call(key, asked, "X-Sluice-Max-Wait", "500"));

        assertThat(follower.error().get("code").asString()).isEqualTo("wait_timeout");
        assertThat(jobId(follower.error().get("message").asString())).isEqualTo(leadersJob);
        assertThat(follower.error().get("message").asString()).contains("GET /v1/jobs/" + leadersJob);
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE tenant_id = :tenant")
                        .param("tenant", tenantOf(key))
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        finish(leadersJob, "succeeded", 200, "{\"id\":\"chatcmpl-lead\",\"object\":\"chat.completion\"}", null);
        assertThat(first.join().json().get("id").asString()).isEqualTo("chatcmpl-lead");
    }

    /** The counter's sample for the model and source; 0 when there is none. */
    private static double sample(String exposition, String name, String model, String source) {
        Matcher line = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE)
                .matcher(exposition);
        while (line.find()) {
            if (line.group(1).contains("model=\"" + model + "\"")
                    && line.group(1).contains("source=\"" + source + "\"")) {
                return Double.parseDouble(line.group(2));
            }
        }
        return 0;
    }

    private String tenantOf(String key) {
        return jdbc.sql("SELECT tenant_id FROM api_keys WHERE key_hash = sha256(convert_to(:key, 'UTF8'))")
                .param("key", key)
                .query(String.class)
                .single();
    }

    private CompletableFuture<Reply> waiting(String key) {
        String body = "{\"model\":\"" + uniqueModel("facade-answer") + "\",\"messages\":[]}";
        return CompletableFuture.supplyAsync(() -> call(key, body, "X-Sluice-Max-Wait", "30000"));
    }

    private Reply call(String key, String body, String header, String value) {
        return send(request("/v1/chat/completions", key)
                .header("Content-Type", "application/json")
                .header(header, value)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build());
    }

    /** The tenant's one queued job, once the waiting call has stored it. */
    private String queuedJobOf(String key) {
        String tenant = tenantOf(key);
        return await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> jdbc.sql("SELECT id FROM jobs WHERE tenant_id = :tenant AND status = 'queued'")
                                .param("tenant", tenant)
                                .query(String.class)
                                .optional()
                                .orElse(null),
                        id -> id != null);
    }

    /** What a worker's final commit does to the row. */
    private void finish(String jobId, String status, Integer responseStatus, String body, String errorCode) {
        jdbc.sql("""
                UPDATE jobs SET status = :status, completed_at = now(), response_status = :responseStatus,
                                response_body = :body, error_code = :errorCode
                 WHERE id = :id""")
                .param("status", status)
                .param("responseStatus", responseStatus)
                .param("body", body)
                .param("errorCode", errorCode)
                .param("id", jobId)
                .update();
    }

    private static String jobId(String message) {
        Matcher matcher = JOB_ID.matcher(message);
        assertThat(matcher.find()).as(message).isTrue();
        return matcher.group();
    }
}
