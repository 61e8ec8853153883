package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An inline batch's input file: created with the batch, rendered from its jobs, sized exactly, listed,
 * private to its tenant, kept across Idempotency-Key replays, and deletable without harm to the batch.
 */
class InlineBatchInputFileIT extends ApiTestBase {

    @Test
    void inlineBatchHasAnInputFileWhoseContentIsItsRequestsInOrder() {
        String key = newTenantKey();
        String model = uniqueModel("inline-input");
        // A body spread over several lines, non-ASCII text and escapes, and a line that leaves url to the batch.
        String body = "{\"endpoint\":\"/v1/chat/completions\",\"requests\":[\n"
                + "{\"custom_id\":\"b\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\n"
                + "  \"model\" : \"" + model
                + "\",\r\n  \"messages\":[{\"role\":\"user\",\"content\":\"caf\u00e9 \\n \\u0000 \\\"q\\\"\"}]\n}},\n"
                + "{\"custom_id\":\"a \\\"quoted\\\" \u2603\",\"body\":{\"model\":\"" + model + "\",\"messages\":[],"
                + "\"temperature\":0.50}},\n"
                + "{\"custom_id\":\"c\",\"body\":{\"model\":\"" + model + "\",\"n\":1e2}}]}";
        List<JsonNode> expected = new ArrayList<>();
        for (JsonNode request : JSON.readTree(body).get("requests")) {
            ObjectNode line = JSON.createObjectNode();
            line.put("custom_id", request.get("custom_id").asString());
            line.put("method", "POST");
            line.put("url", "/v1/chat/completions");
            line.set("body", request.get("body"));
            expected.add(line);
        }

        JsonNode batch = expect(200, post("/v1/batches", key, body)).json();

        String batchId = batch.get("id").asString();
        String fileId = batch.get("input_file_id").asString();
        assertThat(fileId).startsWith("file-");
        JsonNode file = expect(200, get("/v1/files/" + fileId, key)).json();
        assertThat(file.get("object").asString()).isEqualTo("file");
        assertThat(file.get("purpose").asString()).isEqualTo("batch");
        assertThat(file.get("filename").asString()).isEqualTo(batchId + "_input.jsonl");
        assertThat(file.get("status").asString()).isEqualTo("processed");
        Reply content = expect(200, get("/v1/files/" + fileId + "/content", key));
        assertThat(content.body()).endsWith("\n");
        List<JsonNode> lines = content.body().lines().map(JSON::readTree).toList();
        assertThat(lines).containsExactlyElementsOf(expected);
        assertThat(file.get("bytes").asLong()).isEqualTo(content.body().getBytes(StandardCharsets.UTF_8).length);
        JsonNode listed =
                expect(200, get("/v1/files?purpose=batch", key)).json().get("data");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0)).isEqualTo(file);

        String stranger = newTenantKey();
        expect(404, get("/v1/files/" + fileId, stranger));
        expect(404, get("/v1/files/" + fileId + "/content", stranger));
        expect(404, delete("/v1/files/" + fileId, stranger));
        assertThat(expect(200, get("/v1/files", stranger)).json().get("data")).isEmpty();
    }

    @Test
    void replayReturnsTheSameBatchAndFile() {
        String key = newTenantKey();
        String body =
                BatchJson.aChatBatch().requests(2, uniqueModel("inline-replay")).json();

        JsonNode first =
                expect(200, postWithKey("/v1/batches", key, "replay-1", body)).json();
        JsonNode again =
                expect(200, postWithKey("/v1/batches", key, "replay-1", body)).json();

        assertThat(again.get("id")).isEqualTo(first.get("id"));
        assertThat(again.get("input_file_id")).isEqualTo(first.get("input_file_id"));
        assertThat(expect(200, get("/v1/files", key)).json().get("data")).hasSize(1);
    }

    @Test
    void deletingTheInputFileLeavesTheBatchWhole() {
        String key = newTenantKey();
        JsonNode batch = expect(
                        200,
                        post(
                                "/v1/batches",
                                key,
                                BatchJson.aChatBatch()
                                        .requests(3, uniqueModel("inline-delete"))
                                        .json()))
                .json();
        String batchId = batch.get("id").asString();
        String fileId = batch.get("input_file_id").asString();

        expect(200, delete("/v1/files/" + fileId, key));

        expect(404, get("/v1/files/" + fileId, key));
        JsonNode after = expect(200, get("/v1/batches/" + batchId, key)).json();
        assertThat(after.get("input_file_id").asString()).isEqualTo(fileId);
        assertThat(after.get("request_counts").get("total").asInt()).isEqualTo(3);
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE batch_id = :id")
                        .param("id", batchId)
                        .query(Long.class)
                        .single())
                .isEqualTo(3);
    }

    @Test
    void anInlineBatchsInputFileMakesNoNewBatch() {
        String key = newTenantKey();
        String fileId = expect(
                        200,
                        post(
                                "/v1/batches",
                                key,
                                BatchJson.aChatBatch()
                                        .requests(1, uniqueModel("inline-reuse"))
                                        .json()))
                .json()
                .get("input_file_id")
                .asString();
        long batches = rows("batches");

        Reply refused = expect(
                400,
                post(
                        "/v1/batches",
                        key,
                        "{\"input_file_id\":\"" + fileId
                                + "\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}"));

        assertThat(refused.error().get("param").asString()).isEqualTo("input_file_id");
        assertThat(refused.error().get("code").asString()).isEqualTo("invalid_input_file");
        assertThat(rows("batches")).isEqualTo(batches);
    }
}
