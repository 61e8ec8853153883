package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Malformed requests of every kind get a 4xx in OpenAI's error form, never a 500 or an HTML page. */
class ErrorResponsesIT extends ApiTestBase {

    private String key;

    @BeforeEach
    void tenant() {
        key = newTenantKey();
    }

    @Test
    void unknownRoutesAre404InOpenAiForm() {
        assertOpenAiError(404, get("/v1/nothing-here", key));
        assertOpenAiError(404, get("/nothing-here", null));
        assertOpenAiError(404, get("/v1/batches/batch_x/unknown", key));
    }

    @Test
    void wrongMethodIs405() {
        assertOpenAiError(405, delete("/v1/batches", key));
        assertOpenAiError(
                405,
                send(request("/v1/jobs/job_1", key)
                        .PUT(HttpRequest.BodyPublishers.ofString("{}"))
                        .header("Content-Type", "application/json")
                        .build()));
    }

    @Test
    void strangeIdsAre404() {
        assertOpenAiError(404, get("/v1/batches/batch_000000000000000000000000", key));
        assertOpenAiError(404, get("/v1/batches/%27%3B%20DROP%20TABLE%20batches", key));
        assertOpenAiError(404, get("/v1/batches/" + "a".repeat(3000), key));
        assertOpenAiError(404, get("/v1/batches/batch_000000000000000000000000/results", key));
        assertOpenAiError(404, get("/v1/batches/batch_000000000000000000000000/jobs", key));
        assertOpenAiError(404, get("/v1/jobs/caf%C3%A9", key));
        assertOpenAiError(404, get("/v1/files/file-%E2%82%AC/content", key));
    }

    @Test
    void urlsTomcatRefusesAre400InOpenAiForm() {
        assertOpenAiError(400, get("/v1/batches/%00", key));
        assertOpenAiError(400, raw("GET /v1/batches/%zz HTTP/1.1"));
        assertOpenAiError(400, raw("GET /v1/batches/\u00e9?limit=<> HTTP/1.1"));
        assertOpenAiError(400, get("/v1/batches/a%2Fb", key));
        assertOpenAiError(400, get("/v1/batches/" + "a".repeat(20_000), key));
        assertOpenAiError(
                400,
                send(request("/v1/batches", key)
                        .header("X-Padding", "p".repeat(20_000))
                        .GET()
                        .build()));
    }

    @Test
    void theErrorPathItselfIsNotAnError() {
        assertOpenAiError(404, get("/error", null));
    }

    @Test
    void badQueryValuesAre400() {
        assertOpenAiError(400, get("/v1/batches?limit=", key));
        assertOpenAiError(400, get("/v1/batches?limit=1e3", key));
        assertOpenAiError(400, get("/v1/batches?after=" + "x".repeat(500), key));
    }

    @Test
    void errorsAreJsonWhateverTheClientAccepts() {
        Reply reply = send(request("/v1/batches", key)
                .header("Accept", "application/x-ndjson")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{"))
                .build());

        assertOpenAiError(400, reply);
        Reply html = send(request("/v1/batches/batch_000000000000000000000000", key)
                .header("Accept", "text/html")
                .GET()
                .build());
        assertOpenAiError(404, html);
    }

    @Test
    void wrongJsonTypesAre400() {
        assertOpenAiError(400, post("/v1/batches", key, "{\"endpoint\": 5, \"requests\": []}"));
        assertOpenAiError(400, post("/v1/batches", key, "{\"endpoint\": \"/v1/embeddings\", \"requests\": [[]]}"));
        assertOpenAiError(400, post("/v1/batches", key, "null"));
        assertOpenAiError(400, post("/v1/batches", key, "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}"));
        assertOpenAiError(
                400,
                post(
                        "/v1/jobs",
                        key,
                        "{\"url\": \"/v1/embeddings\", \"body\": {\"model\": "
                                + "\"m\", \"input\": \"\\ud800\"}, \"custom_id\": \"\\uZZZZ\"}"));
        assertOpenAiError(
                400,
                send(request("/v1/batches", key)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(
                                "{\"a\":\"\u00e9\"}".getBytes(java.nio.charset.StandardCharsets.UTF_16)))
                        .build()));
    }

    @Test
    void actuatorHealthIsOpenAndMetricsTakeTheAdminKey() {
        assertThat(expect(200, get("/actuator/health", null))
                        .json()
                        .get("status")
                        .asString())
                .isEqualTo("UP");
        assertThat(expect(200, get("/actuator/prometheus", ADMIN_KEY)).body()).contains("sluice_jobs_published_total");
    }

    /** Sends a request line no HTTP client library would build, and reads the answer. */
    private Reply raw(String requestLine) {
        try (java.net.Socket socket = new java.net.Socket("localhost", port)) {
            socket.getOutputStream()
                    .write((requestLine + "\r\nHost: localhost\r\nAuthorization: Bearer " + key
                                    + "\r\nConnection: close\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String response =
                    new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            int status = Integer.parseInt(response.substring(9, 12));
            String head = response.substring(0, response.indexOf("\r\n\r\n"));
            String contentType = head.lines()
                    .filter(line -> line.toLowerCase().startsWith("content-type:"))
                    .map(line -> line.substring(13).strip())
                    .findFirst()
                    .orElse(null);
            return new Reply(status, contentType, response.substring(head.length() + 4));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void assertOpenAiError(int status, Reply reply) {
        expect(status, reply);
        assertThat(reply.contentType()).startsWith("application/json");
        assertThat(reply.error().get("message").asString()).isNotBlank();
        assertThat(reply.error().get("type").asString()).isIn("invalid_request_error", "server_error");
        assertThat(reply.error().has("param")).isTrue();
        assertThat(reply.error().has("code")).isTrue();
    }
}
