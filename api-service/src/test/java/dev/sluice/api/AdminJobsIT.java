package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static dev.sluice.api.FinishedJobs.finish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Ids;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@code GET /admin/jobs} across tenants, and retrying failed jobs one by one and by filter. */
class AdminJobsIT extends ApiTestBase {

    @Test
    void listsEveryTenantsJobsNewestFirstThroughKeysetPages() {
        String model = uniqueModel("listed");
        String first = submit(newTenantKey(), model, 3);
        String second = submit(newTenantKey(), model, 2);
        submit(newTenantKey(), uniqueModel("elsewhere"), 2);

        List<String> seen = new ArrayList<>();
        String after = "";
        boolean more;
        do {
            JsonNode page = expect(200, get("/admin/jobs?model=" + model + "&limit=2&after=" + after, ADMIN_KEY))
                    .json();
            assertThat(page.get("data").size()).isLessThanOrEqualTo(2);
            for (JsonNode job : page.get("data")) {
                assertThat(job.get("object").asString()).isEqualTo("admin.job");
                assertThat(job.get("model").asString()).isEqualTo(model);
                assertThat(job.has("body")).isFalse();
                seen.add(job.get("batch_id").asString() + "#"
                        + job.get("line_no").asInt());
            }
            more = page.get("has_more").asBoolean();
            after = page.get("last_id").asString();
        } while (more);

        assertThat(seen).hasSize(5).doesNotHaveDuplicates();
        // Newest first: the second batch's lines all come before the first's.
        assertThat(seen.subList(0, 2)).allMatch(line -> line.startsWith(second));
        assertThat(seen.subList(2, 5)).allMatch(line -> line.startsWith(first));
    }

    @Test
    void filtersByStatusBatchAndTenant() {
        String model = uniqueModel("filtered");
        String mine = submit(newTenantKey(), model, 3);
        String theirs = submit(newTenantKey(), model, 2);
        finish(jdbc).failed(mine, 1).succeeded(mine, 2);
        String myTenant = tenantOf(mine);

        JsonNode failed = expect(200, get("/admin/jobs?status=failed&batch_id=" + mine, ADMIN_KEY))
                .json();
        assertThat(failed.get("data")).hasSize(1);
        JsonNode job = failed.get("data").get(0);
        assertThat(job.get("line_no").asInt()).isEqualTo(1);
        assertThat(job.get("status").asString()).isEqualTo("failed");
        assertThat(job.get("tenant_id").asString()).isEqualTo(myTenant);
        assertThat(job.get("response_status").asInt()).isEqualTo(400);

        JsonNode ofTenant = expect(200, get("/admin/jobs?model=" + model + "&tenant=" + myTenant, ADMIN_KEY))
                .json();
        assertThat(ofTenant.get("data"))
                .hasSize(3)
                .allMatch(j -> j.get("batch_id").asString().equals(mine));
        JsonNode queued = expect(200, get("/admin/jobs?status=queued&model=" + model, ADMIN_KEY))
                .json();
        assertThat(queued.get("data")).hasSize(3);
        assertThat(expect(200, get("/admin/jobs?batch_id=" + theirs + "&status=succeeded", ADMIN_KEY))
                        .json()
                        .get("data"))
                .isEmpty();
        assertThat(expect(200, get("/admin/jobs?after=" + Ids.job(), ADMIN_KEY))
                        .json()
                        .get("data"))
                .isEmpty();

        assertThat(expect(400, get("/admin/jobs?status=done", ADMIN_KEY))
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("status");
        expect(400, get("/admin/jobs?limit=0", ADMIN_KEY));
        expect(400, get("/admin/jobs?batch_id=no%20such", ADMIN_KEY));
    }

    @Test
    void retryingOneFailedBatchJobMakesANewBatchForItsTenant() {
        String key = newTenantKey();
        String model = uniqueModel("retry-one");
        String batchId = submit(key, model, 2);
        finish(jdbc).failed(batchId, 2).succeeded(batchId, 1);
        String failedJob = jobAt(batchId, 2);
        long depth = queueDepth(model);

        JsonNode retried = expect(200, post("/admin/jobs/" + failedJob + "/retry", ADMIN_KEY, ""))
                .json();

        assertThat(retried.get("retried").asInt()).isEqualTo(1);
        assertThat(retried.get("jobs")).isEmpty();
        String newBatch = retried.get("batches").get(0).asString();
        JsonNode batch = expect(200, get("/v1/batches/" + newBatch, key)).json();
        assertThat(batch.get("request_counts").get("total").asInt()).isEqualTo(1);
        assertThat(batch.get("metadata").get("retry_of").asString()).isEqualTo(batchId);
        expect(404, get("/v1/batches/" + newBatch, newTenantKey()));
        assertThat(queueDepth(model)).isEqualTo(depth + 1);
        assertThat(status(failedJob)).as("the failed job is left as it is").isEqualTo("failed");

        assertThat(expect(409, post("/admin/jobs/" + jobAt(batchId, 1) + "/retry", ADMIN_KEY, ""))
                        .error()
                        .get("code")
                        .asString())
                .isEqualTo("job_not_retryable");
        expect(404, post("/admin/jobs/" + Ids.job() + "/retry", ADMIN_KEY, ""));
    }

    @Test
    void retryingASingleJobMakesANewSingleJob() {
        String key = newTenantKey();
        String model = uniqueModel("retry-single");
        String jobId = expect(
                        202,
                        post(
                                "/v1/jobs",
                                key,
                                "{\"url\":\"/v1/embeddings\",\"custom_id\":\"one\"," + "\"body\":{\"model\":\"" + model
                                        + "\",\"input\":\"hi\"}}"))
                .json()
                .get("id")
                .asString();
        jdbc.sql("UPDATE jobs SET status = 'failed', attempts = 5, completed_at = now(), error_code = 'upstream_error' "
                        + "WHERE id = :id")
                .param("id", jobId)
                .update();

        JsonNode retried = expect(200, post("/admin/jobs/" + jobId + "/retry", ADMIN_KEY, ""))
                .json();

        assertThat(retried.get("batches")).isEmpty();
        String newJob = retried.get("jobs").get(0).asString();
        JsonNode job = expect(200, get("/v1/jobs/" + newJob, key)).json();
        assertThat(job.get("status").asString()).isEqualTo("queued");
        assertThat(job.get("custom_id").asString()).isEqualTo("one");
    }

    @Test
    void retryingByFilterTakesOnlyTheMatchingFailedJobs() {
        String model = uniqueModel("retry-filter");
        String mine = submit(newTenantKey(), model, 3);
        String theirs = submit(newTenantKey(), model, 2);
        finish(jdbc).failed(mine, 1).failed(mine, 3).succeeded(mine, 2).failed(theirs, 1);

        JsonNode retried = expect(
                        200,
                        post(
                                "/admin/jobs/retry",
                                ADMIN_KEY,
                                "{\"status\":\"failed\",\"model\":\"" + model + "\",\"tenant\":\"" + tenantOf(mine)
                                        + "\"}"))
                .json();

        assertThat(retried.get("retried").asInt()).isEqualTo(2);
        assertThat(retried.get("has_more").asBoolean()).isFalse();
        assertThat(retried.get("batches")).hasSize(1);
        String newBatch = retried.get("batches").get(0).asString();
        Set<String> customIds = new HashSet<>(jdbc.sql("SELECT custom_id FROM jobs WHERE batch_id = :id")
                .param("id", newBatch)
                .query(String.class)
                .list());
        assertThat(customIds).containsExactlyInAnyOrder("c0", "c2");

        JsonNode all = expect(200, post("/admin/jobs/retry", ADMIN_KEY, "{\"batch_id\":\"" + theirs + "\"}"))
                .json();
        assertThat(all.get("retried").asInt()).isEqualTo(1);

        assertThat(expect(400, post("/admin/jobs/retry", ADMIN_KEY, "{\"status\":\"succeeded\"}"))
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("status");
        assertThat(expect(400, post("/admin/jobs/retry", ADMIN_KEY, "{\"colour\":\"red\"}"))
                        .error()
                        .get("code")
                        .asString())
                .isEqualTo("unknown_parameter");
        expect(400, post("/admin/jobs/retry", ADMIN_KEY, "[1]"));
    }

    @Test
    void retryingByFilterInCallsSmallerThanTheFailedSetWalksItOnceAndARetriedJobIsNotRetriedAgain() {
        String model = uniqueModel("retry-walk");
        String batch = submit(newTenantKey(), model, 5);
        finish(jdbc)
                .failed(batch, 1)
                .failed(batch, 2)
                .failed(batch, 3)
                .failed(batch, 4)
                .failed(batch, 5);
        String filter = "{\"model\":\"" + model + "\",\"limit\":3}";

        JsonNode first =
                expect(200, post("/admin/jobs/retry", ADMIN_KEY, filter)).json();
        JsonNode second =
                expect(200, post("/admin/jobs/retry", ADMIN_KEY, filter)).json();
        JsonNode third =
                expect(200, post("/admin/jobs/retry", ADMIN_KEY, filter)).json();

        assertThat(first.get("retried").asInt()).isEqualTo(3);
        assertThat(first.get("has_more").asBoolean()).isTrue();
        assertThat(second.get("retried").asInt()).isEqualTo(2);
        assertThat(second.get("has_more").asBoolean()).isFalse();
        assertThat(third.get("retried").asInt()).isZero();
        List<String> resubmitted = new ArrayList<>();
        for (JsonNode call : List.of(first, second)) {
            resubmitted.addAll(jdbc.sql("SELECT custom_id FROM jobs WHERE batch_id = :id ORDER BY line_no")
                    .param("id", call.get("batches").get(0).asString())
                    .query(String.class)
                    .list());
        }
        // Each failed job exactly once (the order within the set is created_at, then id).
        assertThat(resubmitted).containsExactlyInAnyOrder("c0", "c1", "c2", "c3", "c4");
        assertThat(status(jobAt(batch, 1))).isEqualTo("failed");

        // Jobs of one batch share created_at, so which call retried line 1 depends on the random ids.
        String newBatch = jdbc.sql("SELECT batch_id FROM jobs WHERE batch_id IN (:batches) AND custom_id = 'c0'")
                .param(
                        "batches",
                        List.of(
                                first.get("batches").get(0).asString(),
                                second.get("batches").get(0).asString()))
                .query(String.class)
                .single();
        JsonNode again = expect(409, post("/admin/jobs/" + jobAt(batch, 1) + "/retry", ADMIN_KEY, ""))
                .error();
        assertThat(again.get("code").asString()).isEqualTo("job_already_retried");
        assertThat(again.get("message").asString()).contains(newBatch);
        assertThat(expect(400, post("/admin/jobs/retry", ADMIN_KEY, "{\"limit\":0}"))
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("limit");
    }

    private String submit(String key, String model, int lines) {
        return createBatch(key, aChatBatch().requests(lines, model).json());
    }

    private String tenantOf(String batchId) {
        return jdbc.sql("SELECT tenant_id FROM batches WHERE id = :id")
                .param("id", batchId)
                .query(String.class)
                .single();
    }

    private String jobAt(String batchId, int line) {
        return jdbc.sql("SELECT id FROM jobs WHERE batch_id = :id AND line_no = :line")
                .param("id", batchId)
                .param("line", line)
                .query(String.class)
                .single();
    }

    private String status(String jobId) {
        return jdbc.sql("SELECT status FROM jobs WHERE id = :id")
                .param("id", jobId)
                .query(String.class)
                .single();
    }
}
