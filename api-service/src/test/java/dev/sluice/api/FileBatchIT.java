package dev.sluice.api;

import static dev.sluice.api.Uploads.anUpload;
import static dev.sluice.api.Uploads.chatLine;
import static dev.sluice.api.Uploads.chatLines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Ids;
import dev.sluice.db.file.FileEntityRepository;
import dev.sluice.db.file.FilePartRepository;
import dev.sluice.db.file.FileRepository;
import dev.sluice.db.file.ResultKind;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** {@code POST /v1/batches {input_file_id, ...}}: OpenAI's way in, checked line by line like inline batches. */
class FileBatchIT extends ApiTestBase {

    private static final String MODEL = uniqueModel("file-batch-model");

    @Autowired
    FileEntityRepository files;

    @Autowired
    FileRepository resultFiles;

    @Autowired
    FilePartRepository parts;

    @Test
    void batchFromAnInputFileRunsItsLinesAndOutlivesTheFile() {
        String key = newTenantKey();
        String model = uniqueModel("from-file");
        String fileId = uploadFile(key, chatLines(3, model) + "\n");

        JsonNode batch = expect(
                        200,
                        post(
                                "/v1/batches",
                                key,
                                openAiBody(fileId, "/v1/chat/completions")
                                        .replace("}", ",\"metadata\":{\"run\":\"nightly\"}}")))
                .json();

        String batchId = batch.get("id").asString();
        assertThat(batch.get("input_file_id").asString()).isEqualTo(fileId);
        assertThat(batch.get("endpoint").asString()).isEqualTo("/v1/chat/completions");
        assertThat(batch.get("status").asString()).isEqualTo("in_progress");
        assertThat(batch.get("request_counts").get("total").asInt()).isEqualTo(3);
        assertThat(batch.get("metadata").get("run").asString()).isEqualTo("nightly");
        assertThat(jdbc.sql("SELECT custom_id FROM jobs WHERE batch_id = :id ORDER BY line_no")
                        .param("id", batchId)
                        .query(String.class)
                        .list())
                .containsExactly("req-1", "req-2", "req-3");
        assertThat(jdbc.sql("SELECT body FROM jobs WHERE batch_id = :id AND line_no = 2")
                        .param("id", batchId)
                        .query(String.class)
                        .single())
                .contains("hi req-2");

        expect(200, delete("/v1/files/" + fileId, key));
        JsonNode after = expect(200, get("/v1/batches/" + batchId, key)).json();
        assertThat(after.get("input_file_id").asString()).isEqualTo(fileId);
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE batch_id = :id")
                        .param("id", batchId)
                        .query(Long.class)
                        .single())
                .isEqualTo(3);
    }

    @Test
    void fileWithAByteOrderMarkAndBlankLinesIsRead() {
        String key = newTenantKey();
        String fileId = uploadFile(key, "\uFEFF" + chatLine("first", MODEL) + "\n\n" + chatLine("second", MODEL));

        JsonNode batch = expect(200, post("/v1/batches", key, openAiBody(fileId, "/v1/chat/completions")))
                .json();

        assertThat(jdbc.sql("SELECT custom_id FROM jobs WHERE batch_id = :id ORDER BY line_no")
                        .param("id", batch.get("id").asString())
                        .query(String.class)
                        .list())
                .containsExactly("first", "second");
    }

    @Test
    void theSameIdempotencyKeyTwiceGivesOneBatchFromTheFile() {
        String key = newTenantKey();
        String body = openAiBody(uploadFile(key, chatLines(2, uniqueModel("idem-file"))), "/v1/chat/completions");

        String first = createWithIdempotencyKey(key, "file-key", body);
        String second = createWithIdempotencyKey(key, "file-key", body);

        assertThat(second).isEqualTo(first);
        assertThat(expect(200, get("/v1/batches", key)).json().get("data")).hasSize(1);
    }

    @Test
    void aFileOfManyPartsIsStoredAsItIsReadAndABadLastLineLeavesNothingBehind() {
        String key = newTenantKey();
        String model = uniqueModel("many-parts");
        int lines = 3_500;
        StringBuilder content = new StringBuilder();
        for (int i = 1; i <= lines; i++) {
            // About 2 KB a line: the file spans several 1 MiB parts and the jobs several COPY chunks.
            content.append(chatLine("req-" + i, model).replace("hi req-" + i, "hi req-" + i + " " + "x".repeat(2_000)))
                    .append('\n');
        }
        // Past the tests' upload limit (2 MB): stored the way an upload stores it, 1 MiB part by part.
        String tenantId = jdbc.sql("SELECT tenant_id FROM files WHERE id = :id")
                .param("id", uploadFile(key, chatLines(1, model)))
                .query(String.class)
                .single();
        String good = storeInputFile(tenantId, content.toString());
        String bad = storeInputFile(tenantId, content + chatLine("req-7", model) + "\n");

        assertRefusedWithNothingStored(
                key,
                openAiBody(bad, "/v1/chat/completions"),
                400,
                "line[" + (lines + 1) + "].custom_id",
                "duplicate_custom_id");
        JsonNode batch = expect(200, post("/v1/batches", key, openAiBody(good, "/v1/chat/completions")))
                .json();

        String batchId = batch.get("id").asString();
        assertThat(batch.get("request_counts").get("total").asInt()).isEqualTo(lines);
        var stored = jdbc.sql("""
                SELECT count(*) AS jobs, count(DISTINCT line_no) AS line_nos, max(line_no) AS last_line,
                       min(length(body)) AS shortest_body
                  FROM jobs WHERE batch_id = :id""").param("id", batchId).query().singleRow();
        assertThat(stored)
                .containsEntry("jobs", (long) lines)
                .containsEntry("line_nos", (long) lines)
                .containsEntry("last_line", lines);
        assertThat((Integer) stored.get("shortest_body")).isGreaterThan(2_000);
        assertThat(jdbc.sql("SELECT custom_id FROM jobs WHERE batch_id = :id AND line_no = :n")
                        .param("id", batchId)
                        .param("n", lines)
                        .query(String.class)
                        .single())
                .isEqualTo("req-" + lines);
    }

    @Test
    void aLineLongerThanMaxLineSizeInAFileStoredBeforeTheLimitRefusesTheBatchNamingIt() {
        String key = newTenantKey();
        String model = uniqueModel("long-line");
        String tenantId = jdbc.sql("SELECT tenant_id FROM files WHERE id = :id")
                .param("id", uploadFile(key, chatLines(1, model)))
                .query(String.class)
                .single();
        // Stored directly, as an upload made before sluice.input.max-line-size (64KB in the tests) was.
        String old = storeInputFile(
                tenantId,
                chatLine("a", model) + "\n" + chatLine("b", model).replace("hi b", "x".repeat(200_000)) + "\n");

        assertRefusedWithNothingStored(key, openAiBody(old, "/v1/chat/completions"), 400, "line[2]", "line_too_long");
    }

    static Stream<Arguments> badFiles() {
        String ok = chatLine("a", MODEL);
        return Stream.of(
                Arguments.of(
                        "duplicate custom_id",
                        ok + "\n" + chatLine("b", MODEL) + "\n" + ok,
                        "line[3].custom_id",
                        "duplicate_custom_id"),
                Arguments.of(
                        "url other than the endpoint",
                        ok + "\n" + chatLine("b", MODEL).replace("/v1/chat/completions", "/v1/embeddings"),
                        "line[2].url",
                        "url_mismatch"),
                Arguments.of("method GET", ok.replace("\"POST\"", "\"GET\""), "line[1].method", "invalid_method"),
                Arguments.of("malformed JSON", ok + "\n{\"custom_id\": \"b\", \"body\": {", "line[2]", "invalid_json"),
                Arguments.of("two objects on a line", ok + " {}", "line[1]", "invalid_json"),
                Arguments.of(
                        "no model",
                        ok + "\n\n" + chatLine("c", MODEL).replace("\"model\"", "\"modal\""),
                        "line[3].body.model",
                        "missing_model"),
                Arguments.of("no custom_id", "{\"body\":{\"model\":\"m\"}}", "line[1].custom_id", "missing_custom_id"),
                Arguments.of(
                        "unknown field", ok.replace("\"method\"", "\"verb\""), "line[1].verb", "unknown_parameter"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void badLineRefusesTheBatchNamingTheLine(String name, String content, String param, String code) {
        String key = newTenantKey();
        String fileId = uploadFile(key, content);

        assertRefusedWithNothingStored(key, openAiBody(fileId, "/v1/chat/completions"), 400, param, code);
    }

    @Test
    void unknownDeletedAndResultFilesAreRefused() {
        String key = newTenantKey();
        String deleted = uploadFile(key, chatLines(1, MODEL));
        expect(200, delete("/v1/files/" + deleted, key));
        String batchId = createBatch(key, openAiBody(uploadFile(key, chatLines(1, MODEL)), "/v1/chat/completions"));
        String tenantId = jdbc.sql("SELECT tenant_id FROM batches WHERE id = :id")
                .param("id", batchId)
                .query(String.class)
                .single();
        String output = resultFiles.insertResultFile(
                Ids.file(), tenantId, batchId, ResultKind.OUTPUT, "out.jsonl", Instant.now());

        for (String missing : List.of("file-doesnotexist", deleted, "not a file id")) {
            assertRefusedWithNothingStored(
                    key, openAiBody(missing, "/v1/chat/completions"), 404, "input_file_id", "file_not_found");
        }
        assertRefusedWithNothingStored(
                key, openAiBody(output, "/v1/chat/completions"), 400, "input_file_id", "invalid_input_file");
        String good = uploadFile(key, chatLines(1, MODEL));
        assertRefusedWithNothingStored(key, openAiBody(good, "/v1/nowhere"), 400, "endpoint", "invalid_endpoint");
        assertRefusedWithNothingStored(
                key,
                "{\"input_file_id\":\"" + good + "\",\"endpoint\":\"/v1/chat/completions\",\"requests\":[]}",
                400,
                "input_file_id",
                "conflicting_input");
    }

    private void assertRefusedWithNothingStored(String key, String body, int status, String param, String code) {
        long batches = rows("batches");
        long jobs = rows("jobs");

        Reply refused = expect(status, post("/v1/batches", key, body));

        assertThat(refused.error().get("param").asString()).isEqualTo(param);
        assertThat(refused.error().get("code").asString()).isEqualTo(code);
        assertThat(rows("batches")).isEqualTo(batches);
        assertThat(rows("jobs")).isEqualTo(jobs);
    }

    private String storeInputFile(String tenantId, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        String fileId = Ids.file();
        files.insertInputFile(fileId, tenantId, "big.jsonl", Instant.now());
        for (int from = 0, partNo = 0; from < bytes.length; from += FilePartRepository.PART_SIZE, partNo++) {
            parts.insert(
                    fileId,
                    partNo,
                    Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + FilePartRepository.PART_SIZE)));
        }
        files.setBytes(fileId, bytes.length);
        return fileId;
    }

    private String createWithIdempotencyKey(String key, String idempotencyKey, String body) {
        return expect(
                        200,
                        send(request("/v1/batches", key)
                                .header("Idempotency-Key", idempotencyKey)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build()))
                .json()
                .get("id")
                .asString();
    }

    private static String openAiBody(String fileId, String endpoint) {
        return "{\"input_file_id\":\"" + fileId + "\",\"endpoint\":\"" + endpoint + "\",\"completion_window\":\"24h\"}";
    }

    private String uploadFile(String key, String content) {
        return expect(200, send(anUpload().file("in.jsonl", content).request(request("/v1/files", key))))
                .json()
                .get("id")
                .asString();
    }
}
