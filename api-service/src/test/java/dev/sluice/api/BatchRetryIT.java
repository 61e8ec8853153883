package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static dev.sluice.api.FinishedJobs.finish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/batches/{id}/retry}. No worker runs here, so tests finish jobs and batches with SQL,
 * standing in for the workers.
 */
class BatchRetryIT extends ApiTestBase {

    @Test
    void retryResubmitsTheUnsuccessfulLinesAsANewBatchAndLeavesTheOldOneAlone() {
        String tenant = newTenantKey();
        String model = uniqueModel("retry");
        String oldId = createBatch(
                tenant,
                aChatBatch()
                        .requests(5, model)
                        .with("metadata", Map.of("project", "demo"))
                        .with("priority", 3)
                        .with("completion_window", "2h")
                        .json());
        finish(jdbc).succeeded(oldId, 1).failed(oldId, 2).succeeded(oldId, 3).expired(oldId, 4);
        cancel(oldId, 5);
        complete(oldId, "completed");
        List<Map<String, Object>> oldJobsBefore = jobsOf(oldId);
        JsonNode oldBefore = expect(200, get("/v1/batches/" + oldId, tenant)).json();

        JsonNode retried =
                expect(200, post("/v1/batches/" + oldId + "/retry", tenant, "")).json();

        String newId = retried.get("id").asString();
        assertThat(newId).isNotEqualTo(oldId).startsWith("batch_");
        assertThat(retried.get("status").asString()).isEqualTo("in_progress");
        assertThat(retried.get("endpoint").asString()).isEqualTo("/v1/chat/completions");
        assertThat(retried.get("completion_window").asString()).isEqualTo("2h");
        assertThat(retried.get("priority").asInt()).isEqualTo(3);
        assertThat(retried.get("metadata").get("project").asString()).isEqualTo("demo");
        assertThat(retried.get("metadata").get("retry_of").asString()).isEqualTo(oldId);
        assertThat(retried.get("request_counts").get("total").asInt()).isEqualTo(3);
        List<Map<String, Object>> newJobs = jobsOf(newId);
        assertThat(newJobs).extracting(job -> job.get("custom_id")).containsExactly("c1", "c3", "c4");
        assertThat(newJobs).extracting(job -> job.get("line_no")).containsExactly(1, 2, 3);
        assertThat(newJobs).extracting(job -> job.get("status")).containsOnly("queued");
        assertThat(newJobs)
                .extracting(job -> job.get("body"))
                .containsExactly(
                        oldJobsBefore.get(1).get("body"),
                        oldJobsBefore.get(3).get("body"),
                        oldJobsBefore.get(4).get("body"));
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(queueDepth(model)).isEqualTo(8L));
        assertThat(jobsOf(oldId)).isEqualTo(oldJobsBefore);
        assertThat(expect(200, get("/v1/batches/" + oldId, tenant)).json()).isEqualTo(oldBefore);
    }

    @Test
    void retryHonoursAnIdempotencyKey() {
        String tenant = newTenantKey();
        String oldId = finishedBatchWithAFailure(tenant);

        String first = expect(200, retryWithKey(oldId, tenant, "retry-key"))
                .json()
                .get("id")
                .asString();
        String second = expect(200, retryWithKey(oldId, tenant, "retry-key"))
                .json()
                .get("id")
                .asString();

        assertThat(second).isEqualTo(first);
        assertThat(jdbc.sql("SELECT count(*) FROM batches WHERE tenant_id = (SELECT tenant_id FROM batches "
                                + "WHERE id = :id)")
                        .param("id", oldId)
                        .query(Long.class)
                        .single())
                .isEqualTo(2);
        // The key names the retry of that batch: a retry of another batch with it is a different request.
        String otherId = finishedBatchWithAFailure(tenant);
        expect(409, retryWithKey(otherId, tenant, "retry-key"));
    }

    @Test
    void aBatchStillInProgressCannotBeRetried() {
        String tenant = newTenantKey();
        String batchId = createBatch(
                tenant, aChatBatch().requests(2, uniqueModel("retry")).json());
        finish(jdbc).failed(batchId, 1);

        Reply refused = expect(409, post("/v1/batches/" + batchId + "/retry", tenant, ""));

        assertThat(refused.error().get("code").asString()).isEqualTo("batch_not_retryable");
        assertThat(refused.error().get("message").asString()).contains(batchId).contains("in_progress");
    }

    @Test
    void anotherTenantsBatchIsNotFound() {
        String alice = newTenantKey();
        String bob = newTenantKey();
        String batchId = finishedBatchWithAFailure(alice);
        long batchesBefore = rows("batches");

        assertThat(expect(404, post("/v1/batches/" + batchId + "/retry", bob, ""))
                        .error()
                        .get("code")
                        .asString())
                .isEqualTo("not_found");
        expect(404, post("/v1/batches/batch_doesnotexist/retry", alice, ""));
        assertThat(rows("batches")).isEqualTo(batchesBefore);
    }

    @Test
    void aBatchWithNothingUnsuccessfulIsA409() {
        String tenant = newTenantKey();
        String batchId = createBatch(
                tenant, aChatBatch().requests(2, uniqueModel("retry")).json());
        finish(jdbc).succeeded(batchId, 1).succeeded(batchId, 2);
        complete(batchId, "completed");
        long batchesBefore = rows("batches");

        Reply refused = expect(409, post("/v1/batches/" + batchId + "/retry", tenant, ""));

        assertThat(refused.error().get("code").asString()).isEqualTo("nothing_to_retry");
        assertThat(rows("batches")).isEqualTo(batchesBefore);
    }

    @Test
    void metadataWithoutRoomIsKeptAsItIs() {
        String tenant = newTenantKey();
        Map<String, String> full = new java.util.TreeMap<>();
        for (int i = 0; i < 16; i++) {
            full.put("k" + i, "v" + i);
        }
        String batchId = createBatch(
                tenant,
                aChatBatch()
                        .requests(1, uniqueModel("retry"))
                        .with("metadata", full)
                        .json());
        cancel(batchId, 1);
        complete(batchId, "cancelled");

        JsonNode retried = expect(200, post("/v1/batches/" + batchId + "/retry", tenant, ""))
                .json();

        assertThat(retried.get("metadata").size()).isEqualTo(16);
        assertThat(retried.get("metadata").has("retry_of")).isFalse();
    }

    private String finishedBatchWithAFailure(String tenant) {
        String batchId = createBatch(
                tenant, aChatBatch().requests(2, uniqueModel("retry")).json());
        finish(jdbc).succeeded(batchId, 1).failed(batchId, 2);
        complete(batchId, "completed");
        return batchId;
    }

    private Reply retryWithKey(String batchId, String tenant, String key) {
        return send(request("/v1/batches/" + batchId + "/retry", tenant)
                .header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    }

    private void cancel(String batchId, int line) {
        jdbc.sql("""
                UPDATE jobs SET status = 'cancelled', completed_at = now(), error_code = 'batch_cancelled',
                       error_message = 'cancelled' WHERE batch_id = :id AND line_no = :line
                """).param("id", batchId).param("line", line).update();
    }

    /** Marks the batch terminal as a worker's finaliser would. */
    private void complete(String batchId, String status) {
        jdbc.sql("UPDATE batches SET status = :status, " + status + "_at = now(), request_completed = "
                        + "(SELECT count(*) FROM jobs WHERE batch_id = :id AND status = 'succeeded'), request_failed = "
                        + "(SELECT count(*) FROM jobs WHERE batch_id = :id AND status <> 'succeeded') WHERE id = :id")
                .param("id", batchId)
                .param("status", status)
                .update();
    }

    private List<Map<String, Object>> jobsOf(String batchId) {
        return jdbc.sql("SELECT id, line_no, custom_id, body, status FROM jobs WHERE batch_id = :id ORDER BY line_no")
                .param("id", batchId)
                .query()
                .listOfRows();
    }
}
