package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static dev.sluice.api.FinishedJobs.finish;
import static dev.sluice.api.Uploads.anUpload;
import static dev.sluice.api.Uploads.chatLines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.retention.RetentionSweeper;
import dev.sluice.common.Ids;
import dev.sluice.db.file.FileRepository;
import dev.sluice.db.file.ResultKind;
import dev.sluice.db.retention.RetentionRepository;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The retention sweep ({@code SLUICE_RETENTION}, 30 days here): what finished longer ago loses its content (a batch's
 * files and its jobs' bodies, a single job's bodies, an upload's bytes) and answers 410 {@code content_expired};
 * its rows, statuses and counts stay; what finished within the period is untouched. The test moves finish times
 * back instead of waiting.
 */
class RetentionIT extends ApiTestBase {

    @Autowired
    RetentionSweeper sweeper;

    @Autowired
    FileRepository files;

    @Autowired
    RetentionRepository retention;

    @Test
    void theSweepRemovesExpiredContentAndLeavesTheRest() {
        JsonNode created = expect(201, post("/admin/api-keys", ADMIN_KEY, "{\"name\":\"retention\"}"))
                .json();
        String key = created.get("key").asString();
        String tenantId = created.get("tenant_id").asString();
        String model = uniqueModel("retention");

        Batch old = finishedBatch(key, tenantId, model);
        Batch recent = finishedBatch(key, tenantId, model);
        ago(31, "UPDATE batches SET completed_at = now() - :age WHERE id = :id", old.id());
        String oldJob = singleJob(key, model);
        String recentJob = singleJob(key, model);
        ago(31, "UPDATE jobs SET completed_at = now() - :age WHERE id = :id", oldJob);
        String oldUpload = upload(key, model);
        String recentUpload = upload(key, model);
        ago(31, "UPDATE files SET created_at = now() - :age WHERE id = :id", oldUpload);
        long storedBefore = storedBytes(tenantId);
        JsonNode recentFile = expect(200, get("/v1/files/" + recentUpload, key)).json();
        assertThat(recentFile.get("expires_at").asLong()
                        - recentFile.get("created_at").asLong())
                .isEqualTo(Duration.ofDays(30).toSeconds());

        RetentionSweeper.Swept swept = sweeper.runOnce();
        assertThat(swept.batches()).isGreaterThanOrEqualTo(1);
        assertThat(swept.uploads()).isGreaterThanOrEqualTo(1);

        // The old batch: its row and counts stay, its content is gone.
        JsonNode batch = expect(200, get("/v1/batches/" + old.id(), key)).json();
        assertThat(batch.get("status").asString()).isEqualTo("completed");
        assertThat(batch.at("/request_counts/completed").asInt()).isEqualTo(1);
        assertThat(batch.at("/request_counts/failed").asInt()).isEqualTo(1);
        for (String file : new String[] {
            old.output(), old.error(), batch.get("input_file_id").asString()
        }) {
            assertGone(get("/v1/files/" + file + "/content", key));
            expect(200, get("/v1/files/" + file, key));
        }
        assertGone(get("/v1/batches/" + old.id() + "/results", key));
        assertGone(post("/v1/batches/" + old.id() + "/retry", key, ""));
        assertThat(jdbc.sql("""
                        SELECT count(*) FROM jobs
                         WHERE batch_id = :id AND body IS NULL AND response_body IS NULL AND content_expired_at IS NOT NULL
                           AND status IN ('succeeded', 'failed')""").param("id", old.id()).query(Long.class).single())
                .isEqualTo(2);
        JsonNode jobs =
                expect(200, get("/v1/batches/" + old.id() + "/jobs", key)).json();
        for (JsonNode job : jobs.get("data")) {
            assertThat(job.get("content_expired_at").isNull()).isFalse();
            assertThat(job.at("/response/status_code").asInt()).isIn(200, 400);
            assertThat(job.at("/response/body").isNull()).isTrue();
        }

        // The recent batch is untouched.
        assertThat(expect(200, get("/v1/files/" + recent.output() + "/content", key))
                        .body())
                .contains("chatcmpl-1");
        expect(200, get("/v1/batches/" + recent.id() + "/results", key));
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE batch_id = :id AND body IS NOT NULL")
                        .param("id", recent.id())
                        .query(Long.class)
                        .single())
                .isEqualTo(2);

        // Single jobs: the old one keeps its status without bodies; the recent one keeps everything.
        JsonNode expiredJob = expect(200, get("/v1/jobs/" + oldJob, key)).json();
        assertThat(expiredJob.get("status").asString()).isEqualTo("succeeded");
        assertThat(expiredJob.get("content_expired_at").isNull()).isFalse();
        assertThat(expiredJob.at("/response/body").isNull()).isTrue();
        JsonNode keptJob = expect(200, get("/v1/jobs/" + recentJob, key)).json();
        assertThat(keptJob.get("content_expired_at").isNull()).isTrue();
        assertThat(keptJob.at("/response/body/id").asString()).isEqualTo("chatcmpl-single");

        // Uploads: the old one's bytes are gone and no longer count against stored_bytes.
        assertGone(get("/v1/files/" + oldUpload + "/content", key));
        assertThat(expect(200, get("/v1/files/" + oldUpload, key))
                        .json()
                        .get("expires_at")
                        .asLong())
                .isLessThanOrEqualTo(Instant.now().getEpochSecond());
        assertThat(jdbc.sql("SELECT count(*) FROM file_parts WHERE file_id = :id")
                        .param("id", oldUpload)
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(expect(200, get("/v1/files/" + recentUpload + "/content", key))
                        .body())
                .contains("req-1");
        assertThat(storedBytes(tenantId)).isLessThan(storedBefore).isPositive();
        Reply fromExpired = post(
                "/v1/batches",
                key,
                "{\"input_file_id\":\"" + oldUpload + "\",\"endpoint\":\"/v1/chat/completions\","
                        + "\"completion_window\":\"24h\"}");
        assertGone(fromExpired);
        assertThat(fromExpired.error().get("param").asString()).isEqualTo("input_file_id");

        // A second sweep finds nothing more of this tenant's to do and changes nothing.
        sweeper.runOnce();
        assertThat(expect(200, get("/v1/files/" + recent.output() + "/content", key))
                        .body())
                .contains("chatcmpl-1");
    }

    @Test
    void anExpiredBatchLosesItsBodiesAChunkOfLinesAtATimeInLineOrder() {
        String key = newTenantKey();
        String id = createBatch(
                key, aChatBatch().requests(5, uniqueModel("retention-chunks")).json());
        jdbc.sql("""
                UPDATE jobs SET status = 'cancelled', completed_at = now(), error_code = 'batch_cancelled'
                 WHERE batch_id = :id""").param("id", id).update();
        completeBatch(id, null, null);
        ago(40, "UPDATE batches SET completed_at = now() - :age WHERE id = :id", id);

        assertThat(retention.expireFinishedBatches(Duration.ofDays(30), 1000)).isGreaterThanOrEqualTo(1);
        // Lines are purged in order, a chunk per statement; the batch records how far it got.
        for (int purged : new int[] {2, 4, 5}) {
            assertThat(retention.purgeBatchLines(2)).isTrue();
            assertThat(jdbc.sql("SELECT purged_lines FROM batches WHERE id = :id")
                            .param("id", id)
                            .query(Integer.class)
                            .single())
                    .isEqualTo(purged);
            assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE batch_id = :id AND body IS NOT NULL")
                            .param("id", id)
                            .query(Long.class)
                            .single())
                    .isEqualTo(5 - purged);
        }
        assertThat(retention.purgeBatchLines(2)).isFalse();
        assertGone(get("/v1/batches/" + id + "/results", key));
    }

    private record Batch(String id, String output, String error) {}

    private Batch finishedBatch(String key, String tenantId, String model) {
        String id = createBatch(key, aChatBatch().requests(2, model).json());
        finish(jdbc).succeeded(id, 1).failed(id, 2);
        Instant now = Instant.now();
        String output = files.insertResultFile(Ids.file(), tenantId, id, ResultKind.OUTPUT, id + "_output.jsonl", now);
        String error = files.insertResultFile(Ids.file(), tenantId, id, ResultKind.ERROR, id + "_error.jsonl", now);
        completeBatch(id, output, error);
        return new Batch(id, output, error);
    }

    private String singleJob(String key, String model) {
        String job = "{\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"" + model + "\",\"messages\":[]}}";
        String id = expect(202, post("/v1/jobs", key, job)).json().get("id").asString();
        jdbc.sql("""
                UPDATE jobs SET status = 'succeeded', attempts = 1, started_at = now(), completed_at = now(),
                       response_status = 200, response_body = '{"id":"chatcmpl-single"}'
                 WHERE id = :id""").param("id", id).update();
        return id;
    }

    private String upload(String key, String model) {
        Reply reply = send(anUpload().file("in.jsonl", chatLines(2, model)).request(request("/v1/files", key)));
        return expect(200, reply).json().get("id").asString();
    }

    private void ago(int days, String sql, String id) {
        jdbc.sql(sql.replace(":age", "make_interval(days => " + days + ")"))
                .param("id", id)
                .update();
    }

    private long storedBytes(String tenantId) {
        return expect(200, get("/admin/tenants/" + tenantId, ADMIN_KEY))
                .json()
                .at("/quotas/stored_bytes/used")
                .asLong();
    }

    private static void assertGone(Reply reply) {
        expect(410, reply);
        assertThat(reply.error().get("code").asString()).isEqualTo("content_expired");
        assertThat(reply.error().get("message").asString()).contains("retention");
    }
}
