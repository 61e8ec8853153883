package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static dev.sluice.api.FinishedJobs.finish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Ids;
import dev.sluice.db.file.FileRepository;
import dev.sluice.db.file.ResultKind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

class BatchResultsIT extends ApiTestBase {

    @Autowired
    FileRepository files;

    @Test
    void runningBatchShowsLiveCountsAndStreamsWhatHasFinished() {
        String key = newTenantKey();
        String id =
                createBatch(key, aChatBatch().requests(5, uniqueModel("live")).json());
        finish(jdbc).succeeded(id, 1).failed(id, 2).expired(id, 3).running(id, 4);

        JsonNode batch = expect(200, get("/v1/batches/" + id, key)).json();

        JsonNode counts = batch.get("request_counts");
        assertThat(counts.get("total").asInt()).isEqualTo(5);
        assertThat(counts.get("completed").asInt()).isEqualTo(1);
        assertThat(counts.get("failed").asInt()).isEqualTo(2);
        assertThat(counts.get("queued").asInt()).isEqualTo(1);
        assertThat(counts.get("running").asInt()).isEqualTo(1);
        assertThat(counts.get("expired").asInt()).isEqualTo(1);
        assertThat(counts.get("cancelled").asInt()).isZero();
        assertThat(batch.get("usage").get("input_tokens").asLong()).isEqualTo(3);
        assertThat(batch.get("usage").get("output_tokens").asLong()).isEqualTo(5);
        assertThat(batch.get("usage").get("total_tokens").asLong()).isEqualTo(8);

        Reply results = send(request("/v1/batches/" + id + "/results", key)
                .header("Accept", "application/json")
                .GET()
                .build());
        expect(200, results);
        assertThat(results.contentType()).startsWith("application/x-ndjson");
        List<JsonNode> lines = results.body().lines().map(JSON::readTree).toList();
        assertThat(lines).extracting(line -> line.get("custom_id").asString()).containsExactly("c0", "c1", "c2");
        assertThat(lines.get(0).get("response").get("status_code").asInt()).isEqualTo(200);
        assertThat(lines.get(0).get("response").get("body").get("id").asString())
                .isEqualTo("chatcmpl-1");
        assertThat(lines.get(1).get("response").get("body").asString()).isEqualTo("upstream said no");
        assertThat(lines.get(2).get("error").get("code").asString()).isEqualTo("batch_expired");
    }

    @Test
    void finishedBatchShowsStoredCountsAndServesItsFiles() {
        String key = newTenantKey();
        String tenantId = tenantOf(key);
        String id =
                createBatch(key, aChatBatch().requests(3, uniqueModel("done")).json());
        finish(jdbc).succeeded(id, 1).succeeded(id, 2).failed(id, 3);
        Instant now = Instant.now();
        String output = files.insertResultFile(Ids.file(), tenantId, id, ResultKind.OUTPUT, id + "_output.jsonl", now);
        String errors = files.insertResultFile(Ids.file(), tenantId, id, ResultKind.ERROR, id + "_error.jsonl", now);
        completeBatch(id, output, errors);

        JsonNode batch = expect(200, get("/v1/batches/" + id, key)).json();

        assertThat(batch.get("status").asString()).isEqualTo("completed");
        assertThat(batch.get("completed_at").asLong()).isPositive();
        assertThat(batch.get("output_file_id").asString()).isEqualTo(output);
        assertThat(batch.get("error_file_id").asString()).isEqualTo(errors);
        assertThat(batch.get("request_counts").get("completed").asInt()).isEqualTo(2);
        assertThat(batch.get("request_counts").get("failed").asInt()).isEqualTo(1);
        assertThat(batch.get("request_counts").has("queued")).isFalse();
        assertThat(batch.get("usage").get("total_tokens").asLong()).isEqualTo(16);

        JsonNode file = expect(200, get("/v1/files/" + output, key)).json();
        assertThat(file.get("object").asString()).isEqualTo("file");
        assertThat(file.get("purpose").asString()).isEqualTo("batch_output");
        assertThat(file.get("status").asString()).isEqualTo("processed");
        assertThat(file.get("filename").asString()).isEqualTo(id + "_output.jsonl");

        Reply content = expect(200, get("/v1/files/" + output + "/content", key));
        // Recorded unsized (as a finaliser records them before the batch settles): the first read sizes it, as the
        // bytes a download gets, and stores the size.
        assertThat(file.get("bytes").asLong())
                .isEqualTo(content.body().getBytes(StandardCharsets.UTF_8).length)
                .isPositive();
        assertThat(jdbc.sql("SELECT bytes FROM files WHERE id = :id")
                        .param("id", output)
                        .query(Long.class)
                        .single())
                .isEqualTo(file.get("bytes").asLong());
        assertThat(content.body()
                        .lines()
                        .map(JSON::readTree)
                        .map(line -> line.get("custom_id").asString()))
                .containsExactly("c0", "c1");
        Reply errorContent = expect(200, get("/v1/files/" + errors + "/content", key));
        assertThat(errorContent
                        .body()
                        .lines()
                        .map(JSON::readTree)
                        .map(line -> line.get("custom_id").asString()))
                .containsExactly("c2");
    }

    @Test
    void jobsOfABatchArePagedInLineOrderAndFilteredByStatus() {
        String key = newTenantKey();
        String id =
                createBatch(key, aChatBatch().requests(5, uniqueModel("paged")).json());
        finish(jdbc).succeeded(id, 2).succeeded(id, 4);

        JsonNode first =
                expect(200, get("/v1/batches/" + id + "/jobs?limit=2", key)).json();
        JsonNode second = expect(
                        200,
                        get(
                                "/v1/batches/" + id + "/jobs?limit=2&after="
                                        + first.get("last_id").asString(),
                                key))
                .json();
        JsonNode third = expect(
                        200,
                        get(
                                "/v1/batches/" + id + "/jobs?limit=2&after="
                                        + second.get("last_id").asString(),
                                key))
                .json();
        JsonNode succeeded = expect(200, get("/v1/batches/" + id + "/jobs?status=succeeded", key))
                .json();

        assertThat(customIds(first)).containsExactly("c0", "c1");
        assertThat(customIds(second)).containsExactly("c2", "c3");
        assertThat(customIds(third)).containsExactly("c4");
        assertThat(first.get("has_more").asBoolean()).isTrue();
        assertThat(third.get("has_more").asBoolean()).isFalse();
        assertThat(customIds(succeeded)).containsExactly("c1", "c3");
        JsonNode job = succeeded.get("data").get(0);
        assertThat(job.get("batch_id").asString()).isEqualTo(id);
        assertThat(job.get("response").get("status_code").asInt()).isEqualTo(200);
        assertThat(job.get("usage").get("total_tokens").asInt()).isEqualTo(8);
        assertThat(job.get("latency_ms").asInt()).isEqualTo(900);

        assertThat(expect(400, get("/v1/batches/" + id + "/jobs?status=done", key))
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("status");
        assertThat(expect(200, get("/v1/batches/" + id + "/jobs?after=job_000000000000000000000000", key))
                        .json()
                        .get("data"))
                .isEmpty();
    }

    private static List<String> customIds(JsonNode page) {
        return page.get("data")
                .valueStream()
                .map(job -> job.get("custom_id").asString())
                .toList();
    }

    private String tenantOf(String key) {
        return jdbc.sql("SELECT tenant_id FROM api_keys WHERE key_prefix = :prefix")
                .param("prefix", key.substring(0, 14))
                .query(String.class)
                .single();
    }
}
