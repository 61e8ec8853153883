package dev.sluice.api;

import static dev.sluice.api.BatchJson.aBatch;
import static dev.sluice.api.BatchJson.aChatBatch;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** Every refused batch answers in OpenAI's error form with the offending param, and leaves nothing behind. */
class BatchValidationIT extends ApiTestBase {

    private static final String MODEL = uniqueModel("never-published");

    private String key;
    private long batches;
    private long jobs;
    private long models;

    @BeforeEach
    void countRows() {
        key = newTenantKey();
        batches = rows("batches");
        jobs = rows("jobs");
        models = rows("models");
    }

    static Stream<Arguments> refusals() {
        Map<String, String> tooMany = new HashMap<>();
        for (int i = 0; i < 17; i++) {
            tooMany.put("k" + i, "v");
        }
        return Stream.of(
                refused("malformed JSON", "{\"endpoint\": \"/v1/embeddings\", \"requests\": [", null, "invalid_json"),
                refused("trailing garbage", aChatBatch().request("a", MODEL).json() + " x", null, "invalid_json"),
                refused("array instead of object", "[1, 2]", null, "invalid_json"),
                refused("string body", "\"batch\"", null, "invalid_json"),
                refused(
                        "line is not an object",
                        aChatBatch().request("a", MODEL).line(num(5)).json(),
                        "requests[1]",
                        "invalid_type"),
                refused(
                        "body is a string",
                        edit(aChatBatch().request("a", MODEL).request("b", MODEL), line -> line.put("body", "text")),
                        "requests[1].body",
                        "invalid_body"),
                refused(
                        "body is an array",
                        edit(aChatBatch().request("a", MODEL), line -> line.putArray("body")),
                        "requests[0].body",
                        "invalid_body"),
                refused(
                        "missing body",
                        edit(aChatBatch().request("a", MODEL), line -> line.remove("body")),
                        "requests[0].body",
                        "missing_body"),
                refused(
                        "missing custom_id",
                        edit(
                                aChatBatch()
                                        .request("a", MODEL)
                                        .request("b", MODEL)
                                        .request("c", MODEL),
                                line -> line.remove("custom_id")),
                        "requests[2].custom_id",
                        "missing_custom_id"),
                refused(
                        "empty custom_id",
                        edit(aChatBatch().request("a", MODEL), line -> line.put("custom_id", "")),
                        "requests[0].custom_id",
                        "invalid_custom_id"),
                refused(
                        "numeric custom_id",
                        edit(aChatBatch().request("a", MODEL), line -> line.put("custom_id", 7)),
                        "requests[0].custom_id",
                        "invalid_type"),
                refused(
                        "custom_id with NUL",
                        edit(aChatBatch().request("a", MODEL), line -> line.put("custom_id", "a\u0000b")),
                        "requests[0].custom_id",
                        "invalid_value"),
                refused(
                        "custom_id too long",
                        edit(aChatBatch().request("a", MODEL), line -> line.put("custom_id", "x".repeat(513))),
                        "requests[0].custom_id",
                        "invalid_custom_id"),
                refused(
                        "duplicate custom_id",
                        aChatBatch()
                                .request("a", MODEL)
                                .request("b", MODEL)
                                .request("a", MODEL)
                                .json(),
                        "requests[2].custom_id",
                        "duplicate_custom_id"),
                refused(
                        "missing model",
                        edit(
                                aChatBatch().request("a", MODEL),
                                line -> ((tools.jackson.databind.node.ObjectNode) line.get("body")).remove("model")),
                        "requests[0].body.model",
                        "missing_model"),
                refused(
                        "empty model",
                        edit(
                                aChatBatch().request("a", MODEL),
                                line -> ((tools.jackson.databind.node.ObjectNode) line.get("body")).put("model", "")),
                        "requests[0].body.model",
                        "invalid_model"),
                refused(
                        "numeric model",
                        edit(
                                aChatBatch().request("a", MODEL),
                                line -> ((tools.jackson.databind.node.ObjectNode) line.get("body")).put("model", 4)),
                        "requests[0].body.model",
                        "invalid_model"),
                refused(
                        "model too long for a queue name",
                        aChatBatch().request("a", "m".repeat(300)).json(),
                        "requests[0].body.model",
                        "invalid_model"),
                refused(
                        "unknown endpoint",
                        aBatch("/v1/images").request("a", MODEL).json(),
                        "endpoint",
                        "invalid_endpoint"),
                refused(
                        "missing endpoint",
                        aChatBatch().request("a", MODEL).without("endpoint").json(),
                        "endpoint",
                        "missing_endpoint"),
                refused(
                        "url differs from endpoint",
                        edit(aChatBatch().request("a", MODEL), line -> line.put("url", "/v1/embeddings")),
                        "requests[0].url",
                        "url_mismatch"),
                refused(
                        "method GET",
                        edit(aChatBatch().request("a", MODEL), line -> line.put("method", "GET")),
                        "requests[0].method",
                        "invalid_method"),
                refused(
                        "unknown line field",
                        edit(aChatBatch().request("a", MODEL), line -> line.put("extra", 1)),
                        "requests[0].extra",
                        "unknown_parameter"),
                refused(
                        "priority 10",
                        aChatBatch().request("a", MODEL).with("priority", 10).json(),
                        "priority",
                        "invalid_priority"),
                refused(
                        "priority -1",
                        aChatBatch().request("a", MODEL).with("priority", -1).json(),
                        "priority",
                        "invalid_priority"),
                refused(
                        "priority as text",
                        aChatBatch()
                                .request("a", MODEL)
                                .with("priority", "high")
                                .json(),
                        "priority",
                        "invalid_type"),
                refused(
                        "fractional priority",
                        aChatBatch().request("a", MODEL).with("priority", 1.5).json(),
                        "priority",
                        "invalid_type"),
                refused(
                        "huge priority",
                        aChatBatch()
                                .request("a", MODEL)
                                .with("priority", 1L << 40)
                                .json(),
                        "priority",
                        "invalid_type"),
                refused(
                        "too many metadata keys",
                        aChatBatch()
                                .request("a", MODEL)
                                .with("metadata", tooMany)
                                .json(),
                        "metadata",
                        "invalid_metadata"),
                refused(
                        "metadata key too long",
                        aChatBatch()
                                .request("a", MODEL)
                                .with("metadata", Map.of("k".repeat(65), "v"))
                                .json(),
                        "metadata." + "k".repeat(65),
                        "invalid_metadata"),
                refused(
                        "metadata value too long",
                        aChatBatch()
                                .request("a", MODEL)
                                .with("metadata", Map.of("k", "v".repeat(513)))
                                .json(),
                        "metadata.k",
                        "invalid_metadata"),
                refused(
                        "metadata value not a string",
                        aChatBatch()
                                .request("a", MODEL)
                                .with("metadata", Map.of("k", 1))
                                .json(),
                        "metadata.k",
                        "invalid_metadata"),
                refused(
                        "metadata NUL",
                        aChatBatch()
                                .request("a", MODEL)
                                .with("metadata", Map.of("k", "a\u0000"))
                                .json(),
                        "metadata.k",
                        "invalid_value"),
                refused(
                        "metadata array",
                        aChatBatch()
                                .request("a", MODEL)
                                .with("metadata", new int[] {1})
                                .json(),
                        "metadata",
                        "invalid_metadata"),
                refused(
                        "completion window of two days",
                        aChatBatch()
                                .request("a", MODEL)
                                .with("completion_window", "48h")
                                .json(),
                        "completion_window",
                        "invalid_completion_window"),
                refused(
                        "completion window in days",
                        aChatBatch()
                                .request("a", MODEL)
                                .with("completion_window", "1d")
                                .json(),
                        "completion_window",
                        "invalid_completion_window"),
                refused(
                        "webhook url not http",
                        aChatBatch()
                                .request("a", MODEL)
                                .with("webhook_url", "ftp://example.com/x")
                                .json(),
                        "webhook_url",
                        "invalid_webhook_url"),
                refused(
                        "relative webhook url",
                        aChatBatch()
                                .request("a", MODEL)
                                .with("webhook_url", "/hook")
                                .json(),
                        "webhook_url",
                        "invalid_webhook_url"),
                refused("no requests", aChatBatch().json(), "requests", "empty_batch"),
                refused(
                        "requests not an array",
                        aChatBatch().with("requests", Map.of("a", 1)).json(),
                        "requests",
                        "invalid_type"),
                refused(
                        "neither input file nor requests",
                        aChatBatch().without("requests").json(),
                        "input_file_id",
                        "missing_input"),
                refused(
                        "unknown parameter",
                        aChatBatch().request("a", MODEL).with("colour", "red").json(),
                        "colour",
                        "unknown_parameter"),
                refused(
                        "duplicate parameter", "{\"endpoint\":\"/v1/embeddings\",\"endpoint\":\"/v1/embeddings\"}",
                        "endpoint", "duplicate_parameter"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusedBatchLeavesNothingBehind(String name, String body, String param, String code) {
        Reply reply = post("/v1/batches", key, body);

        expect(400, reply);
        assertThat(reply.contentType()).startsWith("application/json");
        JsonNode error = reply.error();
        assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.get("code").asString()).isEqualTo(code);
        if (param == null) {
            assertThat(error.get("param").isNull()).isTrue();
        } else {
            assertThat(error.get("param").asString()).isEqualTo(param);
        }
        assertThat(error.get("message").asString()).isNotBlank();
        assertNothingStored();
    }

    @Test
    void lineErrorsNameTheOneBasedLine() {
        String body = edit(
                aChatBatch().request("a", MODEL).request("b", MODEL).request("c", MODEL),
                line -> line.remove("custom_id"));

        Reply reply = expect(400, post("/v1/batches", key, body));

        assertThat(reply.error().get("message").asString()).contains("line 3");
        assertNothingStored();
    }

    @Test
    void oversizedBodyIs413BeforeParsing() {
        String big = aChatBatch()
                .request("a", MODEL)
                .with("pad", "x".repeat(1_100_000))
                .json();

        Reply declared = post("/v1/batches", key, big);
        Reply chunked = send(request("/v1/batches", key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big.getBytes())))
                .build());

        for (Reply reply : new Reply[] {declared, chunked}) {
            expect(413, reply);
            assertThat(reply.error().get("code").asString()).isEqualTo("request_too_large");
        }
        assertNothingStored();
    }

    @Test
    void wrongContentTypeIs415() {
        Reply reply = send(request("/v1/batches", key)
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(
                        aChatBatch().request("a", MODEL).json()))
                .build());

        expect(415, reply);
        assertThat(reply.error().get("code").asString()).isEqualTo("unsupported_media_type");
        assertNothingStored();
    }

    @Test
    void missingContentTypeIs415() {
        Reply reply = send(request("/v1/batches", key)
                .POST(HttpRequest.BodyPublishers.ofString(
                        aChatBatch().request("a", MODEL).json()))
                .build());

        expect(415, reply);
        assertNothingStored();
    }

    @Test
    void missingOrWrongKeyIs401() {
        expect(401, post("/v1/batches", null, aChatBatch().request("a", MODEL).json()));
        expect(
                401,
                post(
                        "/v1/batches",
                        "sk-sluice-wrong",
                        aChatBatch().request("a", MODEL).json()));
        assertNothingStored();
    }

    @Test
    void emptyBodyIs400() {
        expect(400, post("/v1/batches", key, ""));
        assertNothingStored();
    }

    @Test
    void singleJobsAreCheckedTheSameWay() {
        expect(400, post("/v1/jobs", key, "{\"url\":\"/v1/images\",\"body\":{\"model\":\"m\"}}"));
        assertThat(post("/v1/jobs", key, "{\"body\":{\"model\":\"m\"}}")
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("url");
        assertThat(post("/v1/jobs", key, "{\"url\":\"/v1/embeddings\",\"body\":{}}")
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("body.model");
        assertThat(post("/v1/jobs", key, "{\"url\":\"/v1/embeddings\",\"body\":{\"model\":\"m\"},\"priority\":12}")
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("priority");
        expect(400, post("/v1/jobs", key, "{\"url\":\"/v1/embeddings\",\"body\":{\"model\":\"m\"},\"x\":1}"));
        assertNothingStored();
    }

    private void assertNothingStored() {
        assertThat(rows("batches")).isEqualTo(batches);
        assertThat(rows("jobs")).isEqualTo(jobs);
        assertThat(rows("models")).isEqualTo(models);
        assertThat(queueDepth(MODEL)).isZero();
    }

    private static Arguments refused(String name, String body, String param, String code) {
        return Arguments.of(name, body, param, code);
    }

    private static JsonNode num(int value) {
        return JSON.valueToTree(value);
    }

    /** The batch's JSON after editing its last line. */
    private static String edit(
            BatchJson batch, java.util.function.Consumer<tools.jackson.databind.node.ObjectNode> change) {
        change.accept(batch.lastLine());
        return batch.json();
    }
}
