package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static dev.sluice.api.Uploads.anUpload;
import static dev.sluice.api.Uploads.chatLines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Ids;
import dev.sluice.db.file.FileRepository;
import dev.sluice.db.file.ResultKind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** {@code /v1/files}: uploads stored part by part, listing, content, deletion, refusals and tenancy. */
class FilesIT extends ApiTestBase {

    @Autowired
    FileRepository files;

    @Test
    void uploadedFileIsListedServedByteForByteAndDeleted() {
        String key = newTenantKey();
        // Larger than one part (1 MiB) and than sluice.input.max-request-size (1MB in tests), below max-file-size.
        String content = chatLines(9_000, uniqueModel("upload"));
        assertThat(content.length()).isBetween(1_100_000, 2_000_000);

        JsonNode file = expect(200, upload(key, anUpload().file("dir/requests.jsonl", content)))
                .json();

        String id = file.get("id").asString();
        assertThat(id).startsWith("file-");
        assertThat(file.get("object").asString()).isEqualTo("file");
        assertThat(file.get("purpose").asString()).isEqualTo("batch");
        assertThat(file.get("filename").asString()).isEqualTo("requests.jsonl");
        assertThat(file.get("bytes").asLong()).isEqualTo(content.length());
        assertThat(file.get("status").asString()).isEqualTo("processed");
        assertThat(file.get("created_at").asLong()).isPositive();
        assertThat(partsOf(id)).isEqualTo(2);
        assertThat(expect(200, get("/v1/files/" + id, key)).json()).isEqualTo(file);
        Reply body = expect(200, get("/v1/files/" + id + "/content", key));
        assertThat(body.body()).isEqualTo(content);

        JsonNode deleted = expect(200, delete("/v1/files/" + id, key)).json();
        assertThat(deleted.get("id").asString()).isEqualTo(id);
        assertThat(deleted.get("object").asString()).isEqualTo("file");
        assertThat(deleted.get("deleted").asBoolean()).isTrue();
        assertThat(expect(404, get("/v1/files/" + id, key)).error().get("code").asString())
                .isEqualTo("not_found");
        expect(404, get("/v1/files/" + id + "/content", key));
        expect(404, delete("/v1/files/" + id, key));
        assertThat(partsOf(id)).isZero();
    }

    @Test
    void listPagesBothWaysFiltersByPurposeAndEndsWithAnEmptyPage() {
        String key = newTenantKey();
        List<String> uploaded = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            uploaded.add(expect(200, upload(key, anUpload().file("f" + i + ".jsonl", chatLines(1, "m"))))
                    .json()
                    .get("id")
                    .asString());
        }
        JsonNode batch = expect(
                        200,
                        post(
                                "/v1/batches",
                                key,
                                aChatBatch().requests(1, uniqueModel("list")).json()))
                .json();
        String batchId = batch.get("id").asString();
        // The inline batch's own input file, newer than the uploads.
        uploaded.add(batch.get("input_file_id").asString());
        String tenantId = jdbc.sql("SELECT tenant_id FROM batches WHERE id = :id")
                .param("id", batchId)
                .query(String.class)
                .single();
        String output =
                files.insertResultFile(Ids.file(), tenantId, batchId, ResultKind.OUTPUT, "out.jsonl", Instant.now());

        assertThat(walk(key, "/v1/files?purpose=batch&limit=2")).isEqualTo(uploaded.reversed());
        assertThat(walk(key, "/v1/files?purpose=batch&limit=2&order=asc")).isEqualTo(uploaded);
        assertThat(walk(key, "/v1/files?limit=100")).hasSize(7).startsWith(output);
        JsonNode outputs =
                expect(200, get("/v1/files?purpose=batch_output", key)).json();
        assertThat(outputs.get("data")).hasSize(1);
        assertThat(outputs.get("data").get(0).get("purpose").asString()).isEqualTo("batch_output");
        assertThat(outputs.get("first_id").asString()).isEqualTo(output);
        assertThat(outputs.get("has_more").asBoolean()).isFalse();

        JsonNode afterLast = expect(200, get("/v1/files?after=" + uploaded.getFirst() + "&purpose=batch", key))
                .json();
        assertThat(afterLast.get("data")).isEmpty();
        assertThat(afterLast.get("has_more").asBoolean()).isFalse();
        assertThat(afterLast.get("first_id").isNull()).isTrue();
        assertThat(expect(400, get("/v1/files?order=sideways", key))
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("order");
        assertThat(expect(400, get("/v1/files?limit=101", key))
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("limit");
        assertThat(expect(400, get("/v1/files?purpose=%00", key))
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("purpose");
        assertThat(expect(400, get("/v1/files?after=" + "x".repeat(101), key))
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("after");
    }

    static Stream<Arguments> refusedUploads() {
        byte[] latin1 = "{\"custom_id\":\"caf\u00e9\"}\n".getBytes(StandardCharsets.ISO_8859_1);
        return Stream.of(
                Arguments.of("no purpose", anUpload().purpose(null).file("a.jsonl", chatLines(1, "m")), 400, "purpose"),
                Arguments.of(
                        "purpose fine-tune",
                        anUpload().purpose("fine-tune").file("a.jsonl", chatLines(1, "m")),
                        400,
                        "purpose"),
                Arguments.of(
                        "purpose batch_output",
                        anUpload().purpose("batch_output").file("a.jsonl", "{}\n"),
                        400,
                        "purpose"),
                Arguments.of("no file part", anUpload(), 400, "file"),
                Arguments.of("empty file", anUpload().file("a.jsonl", new byte[0]), 400, "file"),
                Arguments.of("blank file", anUpload().file("a.jsonl", "\n \n"), 400, "file"),
                Arguments.of("not UTF-8", anUpload().file("a.jsonl", latin1), 400, "file"),
                Arguments.of("a line that is no object", anUpload().file("a.jsonl", "{}\n[1, 2]\n"), 400, "file"),
                Arguments.of(
                        "larger than max-file-size",
                        anUpload().file("a.jsonl", new byte[3 * 1024 * 1024]),
                        413,
                        "file"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedUploads")
    void refusedUploadLeavesNothingBehind(String name, Uploads form, int status, String param) {
        String key = newTenantKey();
        long files = rows("files");
        long parts = rows("file_parts");

        Reply refused = expect(status, upload(key, form));

        assertThat(refused.error().get("param").asString()).isEqualTo(param);
        assertThat(refused.error().get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(rows("files")).isEqualTo(files);
        assertThat(rows("file_parts")).isEqualTo(parts);
    }

    @Test
    void aLineLongerThanMaxLineSizeIsRefusedAtUploadNamingItAndNothingIsStored() {
        String key = newTenantKey();
        long files = rows("files");
        long parts = rows("file_parts");
        String tooLong = "{\"custom_id\":\"" + "x".repeat(64 * 1024) + "\"}";

        Reply refused = expect(400, upload(key, anUpload().file("a.jsonl", chatLines(1, "m") + tooLong + "\n")));

        assertThat(refused.error().get("param").asString()).isEqualTo("file");
        assertThat(refused.error().get("code").asString()).isEqualTo("line_too_long");
        assertThat(refused.error().get("message").asString()).contains("Line 2", "65536 bytes");
        assertThat(rows("files")).isEqualTo(files);
        assertThat(rows("file_parts")).isEqualTo(parts);
    }

    @Test
    void uploadThatIsNotMultipartOrIsBrokenIsRefused() {
        String key = newTenantKey();
        long files = rows("files");
        Reply json = expect(415, post("/v1/files", key, "{\"purpose\":\"batch\"}"));
        assertThat(json.error().get("code").asString()).isEqualTo("unsupported_media_type");

        Reply broken = expect(
                400,
                send(request("/v1/files", key)
                        .header("Content-Type", "multipart/form-data; boundary=nothing-like-this")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("--other\r\ngarbage"))
                        .build()));
        assertThat(broken.error().get("code").asString()).isIn("invalid_multipart", "missing_purpose");
        assertThat(rows("files")).isEqualTo(files);
    }

    @Test
    void anotherTenantsFileLooksAbsent() {
        String alice = newTenantKey();
        String bob = newTenantKey();
        String id = expect(200, upload(alice, anUpload().file("a.jsonl", chatLines(2, "m"))))
                .json()
                .get("id")
                .asString();

        for (String path : List.of("/v1/files/" + id, "/v1/files/" + id + "/content")) {
            Reply refused = expect(404, get(path, bob));
            assertThat(refused.error().get("code").asString()).isEqualTo("not_found");
        }
        expect(404, delete("/v1/files/" + id, bob));
        assertThat(expect(200, get("/v1/files", bob)).json().get("data")).isEmpty();
        assertThat(expect(
                                404,
                                post(
                                        "/v1/batches",
                                        bob,
                                        "{\"input_file_id\":\"" + id
                                                + "\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}"))
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("input_file_id");
        assertThat(expect(200, get("/v1/files/" + id, alice)).json().get("id").asString())
                .isEqualTo(id);
    }

    private Reply upload(String key, Uploads form) {
        return send(form.request(request("/v1/files", key)));
    }

    /** Every id of every page, following {@code last_id} until {@code has_more} is false. */
    private List<String> walk(String key, String firstPage) {
        List<String> ids = new ArrayList<>();
        String after = "";
        while (true) {
            JsonNode page = expect(200, get(firstPage + after, key)).json();
            page.get("data").forEach(file -> ids.add(file.get("id").asString()));
            if (!page.get("has_more").asBoolean()) {
                return ids;
            }
            assertThat(page.get("first_id").asString())
                    .isEqualTo(page.get("data").get(0).get("id").asString());
            after = "&after=" + page.get("last_id").asString();
        }
    }

    private long partsOf(String fileId) {
        return jdbc.sql("SELECT count(*) FROM file_parts WHERE file_id = :id")
                .param("id", fileId)
                .query(Long.class)
                .single();
    }
}
