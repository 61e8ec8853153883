package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static dev.sluice.api.FinishedJobs.finish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.api.SseEvents.Event;
import dev.sluice.db.batch.BatchRepository;
import dev.sluice.db.batch.BatchTransitions;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Polls of a batch share one read per {@code SLUICE_BATCH_POLL_STALENESS} on a replica (5 s here, the longest allowed,
 * so that no test depends on timing), a change this replica makes shows in the next poll, a change of the batch's
 * status made elsewhere (a worker's finaliser, here its own statements) shows at once, in polls and in the event
 * stream (read every 5 s here), and other changes made elsewhere (the jobs moved with SQL, as a worker would) show once
 * the bound has passed. Reads are counted by {@code sluice_batch_poll_reads_total}.
 */
@TestPropertySource(properties = {"sluice.batch-poll-staleness=5s", "sluice.events.poll-interval=5s"})
class BatchPollsIT extends ApiTestBase {

    /** Well within the staleness (and the streams' interval): only the announcement of the change can be this quick. */
    private static final Duration AT_ONCE = Duration.ofSeconds(2);

    private static final int POLLERS = 32;

    @Autowired
    private MeterRegistry meters;

    @Autowired
    private BatchRepository batches;

    @Autowired
    private BatchTransitions batchTransitions;

    @Test
    void concurrentPollsOfABatchCostOneRead() throws Exception {
        String key = newTenantKey();
        String batchId = newBatch(key, 3);
        double before = reads();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<JsonNode>> polls = new ArrayList<>();

        try (ExecutorService pollers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < POLLERS; i++) {
                polls.add(pollers.submit(() -> {
                    start.await();
                    return poll(key, batchId);
                }));
            }
            start.countDown();
            for (Future<JsonNode> poll : polls) {
                assertThat(poll.get().get("request_counts").get("queued").asInt())
                        .isEqualTo(3);
            }
        }

        assertThat(reads() - before).isEqualTo(1.0);
    }

    @Test
    void aCancelOnThisReplicaShowsInTheNextPoll() {
        String key = newTenantKey();
        String batchId = newBatch(key, 3);
        assertThat(poll(key, batchId).get("status").asString()).isEqualTo("in_progress");

        expect(200, post("/v1/batches/" + batchId + "/cancel", key, ""));

        JsonNode after = poll(key, batchId);
        assertThat(after.get("status").asString()).isEqualTo("cancelling");
        assertThat(after.get("request_counts").get("cancelled").asInt()).isEqualTo(3);
    }

    @Test
    void aJobCancelledOnThisReplicaShowsInItsBatchsNextPoll() {
        String key = newTenantKey();
        String batchId = newBatch(key, 2);
        assertThat(poll(key, batchId).get("request_counts").get("cancelled").asInt())
                .isZero();
        String jobId = jdbc.sql("SELECT id FROM jobs WHERE batch_id = :id AND line_no = 1")
                .param("id", batchId)
                .query(String.class)
                .single();

        expect(200, post("/v1/jobs/" + jobId + "/cancel", key, ""));

        assertThat(poll(key, batchId).get("request_counts").get("cancelled").asInt())
                .isEqualTo(1);
    }

    @Test
    void countsMovedElsewhereShowWithinTheBound() {
        String key = newTenantKey();
        String batchId = newBatch(key, 3);
        assertThat(poll(key, batchId).get("request_counts").get("completed").asInt())
                .isZero();
        double before = reads();

        finish(jdbc).succeeded(batchId, 1).succeeded(batchId, 2);

        // Within the bound the poll is answered from the read above, without reading again.
        assertThat(poll(key, batchId).get("request_counts").get("completed").asInt())
                .isZero();
        await().atMost(Duration.ofSeconds(5 + 5))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> poll(key, batchId)
                                .get("request_counts")
                                .get("completed")
                                .asInt()
                        == 2);
        assertThat(reads() - before).isEqualTo(1.0);
    }

    @Test
    void aStatusChangedElsewhereShowsInTheNextPolls() {
        String key = newTenantKey();
        String batchId = newBatch(key, 2);
        assertThat(poll(key, batchId).get("status").asString()).isEqualTo("in_progress");

        completeElsewhere(batchId);

        // The poll just made is remembered for 5 s; only the database's announcement makes a poll read again sooner.
        await().atMost(AT_ONCE)
                .pollInterval(Duration.ofMillis(20))
                .until(() -> poll(key, batchId).get("status").asString().equals("completed"));
        assertThat(poll(key, batchId).get("request_counts").get("completed").asInt())
                .isEqualTo(2);
    }

    @Test
    void anEventStreamSeesAStatusChangedElsewhereAtOnce() throws Exception {
        String key = newTenantKey();
        String batchId = newBatch(key, 2);
        List<Event> events = new CopyOnWriteArrayList<>();
        HttpClient client = HttpClient.newHttpClient();
        try {
            CompletableFuture<HttpResponse<Void>> stream = client.sendAsync(
                    request("/v1/batches/" + batchId + "/events", key).GET().build(),
                    HttpResponse.BodyHandlers.fromLineSubscriber(new SseEvents(events)));
            await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 1);

            completeElsewhere(batchId);

            // The stream's next read is 5 s away; the announcements (finalizing, then completed) have it read now.
            await().atMost(AT_ONCE).until(() -> events.getLast().name().equals("batch.completed"));
            assertThat(events.getLast()
                            .data()
                            .get("request_counts")
                            .get("completed")
                            .asInt())
                    .isEqualTo(2);
            assertThat(stream.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        } finally {
            client.shutdownNow();
        }
    }

    /** Finishes the batch's two jobs and the batch as a worker does: the jobs, then the finaliser's transitions. */
    private void completeElsewhere(String batchId) {
        finish(jdbc).succeeded(batchId, 1).succeeded(batchId, 2);
        Instant now = Instant.now();
        assertThat(batchTransitions.tryStartFinalizing(batchId, now)).isTrue();
        assertThat(batchTransitions.markCompleted(
                        batchId, batches.liveCounts(batchId), batches.liveUsage(batchId), null, null, now))
                .isTrue();
    }

    private JsonNode poll(String key, String batchId) {
        return expect(200, get("/v1/batches/" + batchId, key)).json();
    }

    private double reads() {
        return meters.get("sluice.batch.poll.reads").counter().count();
    }

    private String newBatch(String key, int lines) {
        return createBatch(
                key, aChatBatch().requests(lines, uniqueModel("polls")).json());
    }
}
