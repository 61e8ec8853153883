package dev.sluice.api;

import static dev.sluice.api.BatchJson.aBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

class BatchCreationIT extends ApiTestBase {

    @ParameterizedTest
    @ValueSource(strings = {"/v1/chat/completions", "/v1/completions", "/v1/embeddings"})
    void inlineBatchIsStoredRegisteredAndPublished(String endpoint) {
        String key = newTenantKey();
        String modelA = uniqueModel("model-a");
        String modelB = uniqueModel("model-b");
        String body = aBatch(endpoint)
                .requests(3, modelA)
                .request("other", modelB)
                .with("metadata", java.util.Map.of("project", "demo"))
                .with("priority", 4)
                .json();

        Reply reply = expect(200, post("/v1/batches", key, body));

        JsonNode batch = reply.json();
        String id = batch.get("id").asString();
        assertThat(id).startsWith("batch_");
        assertThat(batch.get("object").asString()).isEqualTo("batch");
        assertThat(batch.get("endpoint").asString()).isEqualTo(endpoint);
        assertThat(batch.get("status").asString()).isEqualTo("in_progress");
        assertThat(batch.get("completion_window").asString()).isEqualTo("24h");
        assertThat(batch.get("input_file_id").asString()).startsWith("file-");
        assertThat(batch.get("errors").isNull()).isTrue();
        assertThat(batch.get("expires_at").asLong() - batch.get("created_at").asLong())
                .isEqualTo(86_400);
        assertThat(batch.get("request_counts").get("total").asInt()).isEqualTo(4);
        assertThat(batch.get("request_counts").get("queued").asInt()).isEqualTo(4);
        assertThat(batch.get("metadata").get("project").asString()).isEqualTo("demo");
        assertThat(batch.get("priority").asInt()).isEqualTo(4);
        assertThat(batch.get("usage")
                        .get("input_tokens_details")
                        .get("cached_tokens")
                        .asInt())
                .isZero();

        assertThat(unpublishedOfBatch(id))
                .as("every message confirmed before the answer")
                .isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM batch_publications WHERE batch_id = :id")
                        .param("id", id)
                        .query(Long.class)
                        .single())
                .as("the batch's publication is over")
                .isZero();
        assertThat(jdbc.sql("SELECT model FROM models WHERE model IN (:models) ORDER BY model")
                        .param("models", List.of(modelA, modelB))
                        .query(String.class)
                        .list())
                .containsExactlyInAnyOrder(modelA, modelB);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(queueDepth(modelA)).isEqualTo(3L);
            assertThat(queueDepth(modelB)).isEqualTo(1L);
        });
    }

    @Test
    void storesEachBodyExactlyAsSentWithLineNumbers() {
        String key = newTenantKey();
        String model = uniqueModel("exact");
        String body = "{\"endpoint\":\"/v1/chat/completions\",\"requests\":["
                + "{\"custom_id\":\"first\",\"body\":{ \"model\" : \"" + model + "\", \"messages\":[{\"role\":\"user\","
                + "\"content\":\"caf\u00e9 \\u0000 \\n tab\\t\"}], \"temperature\": 0.50 }},"
                + "{\"custom_id\":\"second\",\"body\":{\"model\":\"" + model + "\",\"x\":[1,{\"y\":null}]}}]}";

        Reply reply = expect(200, post("/v1/batches", key, body));

        List<String> stored = jdbc.sql("SELECT body FROM jobs WHERE batch_id = :id ORDER BY line_no")
                .param("id", reply.json().get("id").asString())
                .query(String.class)
                .list();
        assertThat(stored)
                .containsExactly(
                        "{ \"model\" : \"" + model
                                + "\", \"messages\":[{\"role\":\"user\",\"content\":\"caf\u00e9 \\u0000 \\n tab\\t\"}], \"temperature\": 0.50 }",
                        "{\"model\":\"" + model + "\",\"x\":[1,{\"y\":null}]}");
    }

    @Test
    void singleJobIsAcceptedAndPublished() {
        String key = newTenantKey();
        String model = uniqueModel("single");

        Reply reply = post(
                "/v1/jobs",
                key,
                "{\"url\":\"/v1/embeddings\",\"custom_id\":\"one\",\"priority\":9,"
                        + "\"webhook_url\":\"https://example.com/hook\",\"body\":{\"model\":\"" + model
                        + "\",\"input\":\"hi\"}}");

        expect(202, reply);
        JsonNode job = reply.json();
        assertThat(job.get("object").asString()).isEqualTo("job");
        assertThat(job.get("batch_id").isNull()).isTrue();
        assertThat(job.get("status").asString()).isEqualTo("queued");
        assertThat(job.get("model").asString()).isEqualTo(model);
        assertThat(job.get("priority").asInt()).isEqualTo(9);
        assertThat(job.get("response").isNull()).isTrue();
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(queueDepth(model)).isEqualTo(1L));

        Reply fetched = get("/v1/jobs/" + job.get("id").asString(), key);
        assertThat(fetched.status()).isEqualTo(200);
        assertThat(fetched.json().get("custom_id").asString()).isEqualTo("one");
        assertThat(fetched.json().get("webhook_url").asString()).isEqualTo("https://example.com/hook");
    }
}
