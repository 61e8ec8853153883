package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static dev.sluice.api.FinishedJobs.finish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Ids;
import dev.sluice.db.file.FileRepository;
import dev.sluice.db.file.ResultKind;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Another tenant's objects look exactly like objects that do not exist. */
class TenantIsolationIT extends ApiTestBase {

    @Autowired
    FileRepository files;

    @Test
    void tenantCannotReadAnotherTenantsBatchesJobsResultsOrFiles() {
        String alice = newTenantKey();
        String bob = newTenantKey();
        String batchId =
                createBatch(alice, aChatBatch().requests(2, uniqueModel("iso")).json());
        finish(jdbc).succeeded(batchId, 1);
        String jobId = expect(
                        202,
                        post(
                                "/v1/jobs",
                                alice,
                                "{\"url\":\"/v1/embeddings\",\"body\":{\"model\":\"" + uniqueModel("iso")
                                        + "\",\"input\":\"x\"}}"))
                .json()
                .get("id")
                .asString();
        String tenantId = jdbc.sql("SELECT tenant_id FROM batches WHERE id = :id")
                .param("id", batchId)
                .query(String.class)
                .single();
        String fileId =
                files.insertResultFile(Ids.file(), tenantId, batchId, ResultKind.OUTPUT, "out.jsonl", Instant.now());

        for (String path : new String[] {
            "/v1/batches/" + batchId,
            "/v1/batches/" + batchId + "/jobs",
            "/v1/batches/" + batchId + "/results",
            "/v1/jobs/" + jobId,
            "/v1/files/" + fileId,
            "/v1/files/" + fileId + "/content"
        }) {
            assertThat(expect(200, get(path, alice)).status()).isEqualTo(200);
            Reply refused = expect(404, get(path, bob));
            assertThat(refused.error().get("code").asString()).isEqualTo("not_found");
            assertThat(refused.body()).doesNotContain(tenantId);
        }
        assertThat(expect(200, get("/v1/batches", bob)).json().get("data")).isEmpty();
        assertThat(expect(200, get("/v1/batches", alice)).json().get("data")).hasSize(1);
    }
}
