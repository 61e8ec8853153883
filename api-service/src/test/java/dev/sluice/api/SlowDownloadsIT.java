package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.db.file.FileRepository;
import dev.sluice.db.file.ResultKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Issue 15's "no tenant stalls the others" for downloads: with a pool of two database connections, two clients
 * that read a result download a few bytes at a time do not hold them, so another tenant's calls still answer.
 * Before downloads were paged, each held a connection and a transaction for as long as its client read.
 */
class SlowDownloadsIT extends SmallPoolTestBase {

    /** Enough lines of ~4 KB for many pages and far more bytes than the socket buffers hold. */
    private static final int LINES = 2_500;

    @Autowired
    private FileRepository files;

    @Test
    void twoThrottledResultDownloadsDoNotDelayAnotherTenant() throws Exception {
        String slowTenant = newTenantKey();
        String batchId = aFinishedBigBatch(slowTenant);
        String outputFileId = files.insertResultFile(
                "file-slow" + batchId.substring(6),
                tenantOf(batchId),
                batchId,
                ResultKind.OUTPUT,
                "output.jsonl",
                Instant.now());
        String otherTenant = newTenantKey();

        List<SlowReader> downloads = new ArrayList<>();
        try {
            downloads.add(SlowReader.start(port, "/v1/batches/" + batchId + "/results", slowTenant));
            downloads.add(SlowReader.start(port, "/v1/files/" + outputFileId + "/content", slowTenant));

            for (int call = 0; call < 3; call++) {
                long started = System.nanoTime();
                Reply reply = get("/v1/batches", otherTenant);
                Duration took = Duration.ofNanos(System.nanoTime() - started);

                assertThat(reply.status())
                        .as("GET /v1/batches beside two slow downloads: %s", reply.body())
                        .isEqualTo(200);
                assertThat(took).as("GET /v1/batches beside two slow downloads").isLessThan(Duration.ofSeconds(1));
            }
            assertThat(downloads).extracting(SlowReader::head).containsOnly("HTTP/1.1 200");
        } finally {
            for (SlowReader download : downloads) {
                download.close();
            }
        }
    }

    @Test
    void aDownloadOfManyPagesIsEveryLineOnceInOrderWithTheMeasuredSize() {
        String tenant = newTenantKey();
        String batchId = aFinishedBigBatch(tenant);
        long measured = files.writeResults(batchId, ResultKind.OUTPUT, java.io.OutputStream.nullOutputStream());

        Reply reply = expect(200, get("/v1/batches/" + batchId + "/results", tenant));

        assertThat((long) reply.body().getBytes(StandardCharsets.UTF_8).length).isEqualTo(measured);
        List<String> lines = reply.body().lines().toList();
        assertThat(lines).hasSize(LINES);
        for (int i = 0; i < LINES; i++) {
            assertThat(JSON.readTree(lines.get(i)).get("custom_id").asString()).isEqualTo("c" + i);
        }
    }

    /**
     * A batch of {@value #LINES} lines, every one succeeded with a ~4 KB answer (SQL stands in for the worker),
     * once its background publishing, which takes a connection of its own, is over.
     */
    private String aFinishedBigBatch(String key) {
        String model = uniqueModel("slow");
        String id = expect(
                        200,
                        post(
                                "/v1/batches",
                                key,
                                aChatBatch().requests(LINES, model).json()))
                .json()
                .get("id")
                .asString();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> queueDepth(model) == LINES
                        && jdbc.sql("SELECT publishing_until IS NULL FROM batches WHERE id = :id")
                                .param("id", id)
                                .query(Boolean.class)
                                .single());
        int finished = jdbc.sql("""
                UPDATE jobs SET status = 'succeeded', attempts = 1, started_at = now(), completed_at = now(),
                       response_status = 200,
                       response_body = '{"id":"chatcmpl-1","choices":[{"text":"' || repeat('x', 4000) || '"}]}'
                 WHERE batch_id = :batchId
                """).param("batchId", id).update();
        assertThat(finished).isEqualTo(LINES);
        return id;
    }

    private String tenantOf(String batchId) {
        return jdbc.sql("SELECT tenant_id FROM batches WHERE id = :id")
                .param("id", batchId)
                .query(String.class)
                .single();
    }
}
