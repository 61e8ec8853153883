package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static dev.sluice.api.FinishedJobs.finish;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/batches/{id}/cancel} and {@code POST /v1/jobs/{id}/cancel}. No worker runs here, so every
 * job stays queued unless a test moves it with SQL.
 */
class CancellationIT extends ApiTestBase {

    @Test
    void cancellingABatchCancelsItsQueuedJobsAndLeavesItCancelling() {
        String key = newTenantKey();
        String batchId = newBatch(key, 3);

        JsonNode cancelled =
                expect(200, post("/v1/batches/" + batchId + "/cancel", key, "")).json();

        assertThat(cancelled.get("id").asString()).isEqualTo(batchId);
        assertThat(cancelled.get("status").asString()).isEqualTo("cancelling");
        assertThat(cancelled.get("cancelling_at").isNumber()).isTrue();
        assertThat(cancelled.get("cancelled_at").isNull()).isTrue();
        assertThat(cancelled.get("request_counts").get("cancelled").asInt()).isEqualTo(3);
        JsonNode jobs =
                expect(200, get("/v1/batches/" + batchId + "/jobs", key)).json().get("data");
        assertThat(jobs).hasSize(3).allSatisfy(job -> {
            assertThat(job.get("status").asString()).isEqualTo("cancelled");
            assertThat(job.get("completed_at").isNumber()).isTrue();
            assertThat(job.get("error").get("code").asString()).isEqualTo("batch_cancelled");
            assertThat(job.get("error").get("message").asString()).contains(batchId);
        });
    }

    @Test
    void runningJobsOfACancelledBatchAreLeftToFinish() {
        String key = newTenantKey();
        String batchId = newBatch(key, 2);
        finish(jdbc).running(batchId, 1);

        expect(200, post("/v1/batches/" + batchId + "/cancel", key, ""));

        assertThat(jobStatuses(batchId)).containsExactly("running", "cancelled");
    }

    @Test
    void cancellingTwiceReturnsTheSameBatch() {
        String key = newTenantKey();
        String batchId = newBatch(key, 2);
        JsonNode first =
                expect(200, post("/v1/batches/" + batchId + "/cancel", key, "")).json();

        JsonNode second =
                expect(200, post("/v1/batches/" + batchId + "/cancel", key, "")).json();

        assertThat(second.get("status").asString()).isEqualTo("cancelling");
        assertThat(second.get("cancelling_at")).isEqualTo(first.get("cancelling_at"));
        assertThat(second.get("request_counts")).isEqualTo(first.get("request_counts"));
    }

    @Test
    void anotherTenantCannotCancelABatchOrAJob() {
        String alice = newTenantKey();
        String bob = newTenantKey();
        String batchId = newBatch(alice, 1);
        String jobId = firstJobId(alice, batchId);

        assertThat(expect(404, post("/v1/batches/" + batchId + "/cancel", bob, ""))
                        .error()
                        .get("code")
                        .asString())
                .isEqualTo("not_found");
        expect(404, post("/v1/jobs/" + jobId + "/cancel", bob, ""));

        assertThat(expect(200, get("/v1/batches/" + batchId, alice))
                        .json()
                        .get("status")
                        .asString())
                .isEqualTo("in_progress");
        assertThat(jobStatuses(batchId)).containsExactly("queued");
    }

    @Test
    void aFinishedBatchCannotBeCancelled() {
        String key = newTenantKey();
        String batchId = newBatch(key, 1);
        finish(jdbc).succeeded(batchId, 1);
        jdbc.sql("""
                UPDATE batches SET status = 'completed', completed_at = now(), request_completed = 1, request_failed = 0
                 WHERE id = :id
                """).param("id", batchId).update();

        Reply refused = expect(409, post("/v1/batches/" + batchId + "/cancel", key, ""));

        assertThat(refused.error().get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(refused.error().get("message").asString()).contains(batchId).contains("completed");
        assertThat(expect(200, get("/v1/batches/" + batchId, key))
                        .json()
                        .get("status")
                        .asString())
                .isEqualTo("completed");
    }

    @Test
    void aQueuedJobCanBeCancelledOnceAndThenStaysCancelled() {
        String key = newTenantKey();
        String jobId = expect(
                        202,
                        post(
                                "/v1/jobs",
                                key,
                                "{\"url\":\"/v1/embeddings\",\"body\":{\"model\":\"" + uniqueModel("cancel")
                                        + "\",\"input\":\"x\"}}"))
                .json()
                .get("id")
                .asString();

        JsonNode job =
                expect(200, post("/v1/jobs/" + jobId + "/cancel", key, "")).json();

        assertThat(job.get("status").asString()).isEqualTo("cancelled");
        assertThat(job.get("completed_at").isNumber()).isTrue();
        assertThat(job.get("error").get("code").asString()).isEqualTo("cancelled");
        assertThat(expect(200, post("/v1/jobs/" + jobId + "/cancel", key, "")).json())
                .isEqualTo(job);
    }

    @Test
    void aRunningJobCannotBeCancelled() {
        String key = newTenantKey();
        String batchId = newBatch(key, 2);
        finish(jdbc).running(batchId, 1);
        String jobId = firstJobId(key, batchId);

        Reply refused = expect(409, post("/v1/jobs/" + jobId + "/cancel", key, ""));

        assertThat(refused.error().get("message").asString())
                .isEqualTo("job " + jobId + " is running and will finish.");
        assertThat(jobStatuses(batchId)).containsExactly("running", "queued");
    }

    @Test
    void aSucceededJobCannotBeCancelledButAQueuedJobOfTheSameBatchCan() {
        String key = newTenantKey();
        String batchId = newBatch(key, 2);
        finish(jdbc).succeeded(batchId, 1);
        List<String> ids = jobIds(batchId);

        expect(409, post("/v1/jobs/" + ids.get(0) + "/cancel", key, ""));
        JsonNode cancelled =
                expect(200, post("/v1/jobs/" + ids.get(1) + "/cancel", key, "")).json();

        assertThat(cancelled.get("batch_id").asString()).isEqualTo(batchId);
        assertThat(jobStatuses(batchId)).containsExactly("succeeded", "cancelled");
        // The batch stays in_progress: the workers' finalisation sweep completes it.
        assertThat(expect(200, get("/v1/batches/" + batchId, key))
                        .json()
                        .get("status")
                        .asString())
                .isEqualTo("in_progress");
    }

    private String newBatch(String key, int lines) {
        return createBatch(
                key, aChatBatch().requests(lines, uniqueModel("cancel")).json());
    }

    private String firstJobId(String key, String batchId) {
        return expect(200, get("/v1/batches/" + batchId + "/jobs", key))
                .json()
                .get("data")
                .get(0)
                .get("id")
                .asString();
    }

    private List<String> jobIds(String batchId) {
        return jdbc.sql("SELECT id FROM jobs WHERE batch_id = :id ORDER BY line_no")
                .param("id", batchId)
                .query(String.class)
                .list();
    }

    private List<String> jobStatuses(String batchId) {
        return jdbc.sql("SELECT status FROM jobs WHERE batch_id = :id ORDER BY line_no")
                .param("id", batchId)
                .query(String.class)
                .list();
    }
}
