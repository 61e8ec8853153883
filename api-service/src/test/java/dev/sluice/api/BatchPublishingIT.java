package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.api.dispatch.UnpublishedJobSweeper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * A batch larger than one publishing chunk is answered once stored, its remaining chunks published in the
 * background under the batch's publishing lease, which keeps the sweeper from sending them a second time;
 * a lease that has run out (a dead publisher) no longer does.
 */
class BatchPublishingIT extends ApiTestBase {

    /** Five chunks of the tests' 1,000: the first is published before the answer, four in the background. */
    private static final int LINES = 5_000;

    @Autowired
    UnpublishedJobSweeper sweeper;

    @Autowired
    DataSource dataSource;

    @Test
    void answersWhileTheBackgroundPublisherIsHeldAndThenPublishesEveryJobOnce() throws Exception {
        JsonNode created = expect(201, post("/admin/api-keys", ADMIN_KEY, "{\"name\":\"background\"}"))
                .json();
        String key = created.get("key").asString();
        String tenantId = created.get("tenant_id").asString();
        String model = uniqueModel("background");
        String body = aChatBatch().requests(LINES, model).json();

        CompletableFuture<Reply> answer;
        String batchId;
        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            answer = CompletableFuture.supplyAsync(() -> post("/v1/batches", key, body));
            // Lock the batch's row as soon as it is committed: the background publisher renews the lease on
            // that row before each chunk (and ends it there), so it cannot get past its next chunk meanwhile.
            batchId = await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> lockBatchOf(holder, tenantId), id -> id != null);
            assertThat(leaseOf(holder, batchId))
                    .as("publishing lease while the publisher runs")
                    .isNotNull();

            Reply reply = expect(200, answer.get(60, TimeUnit.SECONDS));
            assertThat(reply.json().get("id").asString()).isEqualTo(batchId);
            assertThat(reply.json().get("request_counts").get("total").asInt()).isEqualTo(LINES);
            long unpublishedAtAnswer = unpublished(batchId);
            assertThat(unpublishedAtAnswer)
                    .as("jobs not yet published when the POST answered")
                    .isPositive();

            // The sweeper (republish-after 0s here) leaves a batch under a live lease to its publisher.
            sweeper.runOnce();
            assertThat(unpublished(batchId)).isEqualTo(unpublishedAtAnswer);
            holder.rollback();
        }

        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(unpublished(batchId)).isZero());
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(lease(batchId)).isNull());
        // Exactly one message per job: nothing consumes the queue in these tests.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(queueDepth(model)).isEqualTo(LINES));
        assertThat(sweeper.runOnce()).isZero();
        assertThat(queueDepth(model)).isEqualTo(LINES);
    }

    @Test
    void sweeperPublishesABatchOnlyOnceItsPublishingLeaseHasRunOut() {
        String key = newTenantKey();
        String model = uniqueModel("lease");
        String batchId = createBatch(key, aChatBatch().requests(5, model).json());
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(queueDepth(model)).isEqualTo(5L));
        assertThat(lease(batchId))
                .as("a small batch's lease ends with its only chunk")
                .isNull();
        // What a publisher that died after storing the batch leaves: unpublished jobs under its lease.
        amqp.purgeQueue(lane(model), false);
        jdbc.sql("UPDATE jobs SET published_at = NULL WHERE batch_id = :id")
                .param("id", batchId)
                .update();
        jdbc.sql("UPDATE batches SET publishing_until = now() + interval '90 seconds' WHERE id = :id")
                .param("id", batchId)
                .update();

        sweeper.runOnce();
        assertThat(unpublished(batchId)).isEqualTo(5);
        assertThat(queueDepth(model)).isZero();

        // Nobody renewed it: the lease runs out and the sweeper takes over.
        jdbc.sql("UPDATE batches SET publishing_until = now() - interval '1 second' WHERE id = :id")
                .param("id", batchId)
                .update();
        sweeper.runOnce();
        assertThat(unpublished(batchId)).isZero();
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(queueDepth(model)).isEqualTo(5L));
    }

    @Test
    void theFirstChunkGoesOutInGrowingStepsAllBeforeTheAnswer() {
        String key = newTenantKey();
        String model = uniqueModel("steps");
        String batchId = createBatch(key, aChatBatch().requests(100, model).json());

        assertThat(unpublished(batchId))
                .as("a batch within one chunk is wholly published when the POST answers")
                .isZero();
        // Each step is confirmed and marked in a transaction of its own, so its jobs share one published_at: 16 lines,
        // then 64, then the 20 left, in line order.
        List<Long> steps = jdbc.sql("""
                        SELECT count(*) FROM jobs WHERE batch_id = :id
                         GROUP BY published_at ORDER BY published_at, min(line_no)
                        """).param("id", batchId).query(Long.class).list();
        assertThat(steps).containsExactly(16L, 64L, 20L);
        List<Integer> lastLineOfEachStep =
                jdbc.sql("""
                        SELECT max(line_no) FROM jobs WHERE batch_id = :id GROUP BY published_at ORDER BY published_at
                        """).param("id", batchId).query(Integer.class).list();
        assertThat(lastLineOfEachStep).isSorted();
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(queueDepth(model)).isEqualTo(100L));
    }

    /** Locks and returns the tenant's batch once committed; null while there is none yet. */
    private static String lockBatchOf(Connection holder, String tenantId) throws Exception {
        try (PreparedStatement select =
                holder.prepareStatement("SELECT id FROM batches WHERE tenant_id = ? FOR UPDATE")) {
            select.setString(1, tenantId);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static Timestamp leaseOf(Connection holder, String batchId) throws Exception {
        try (PreparedStatement select = holder.prepareStatement("SELECT publishing_until FROM batches WHERE id = ?")) {
            select.setString(1, batchId);
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getTimestamp(1);
            }
        }
    }

    private Timestamp lease(String batchId) {
        return jdbc.sql("SELECT publishing_until FROM batches WHERE id = :id")
                .param("id", batchId)
                .query(Timestamp.class)
                .optional()
                .orElse(null);
    }

    private long unpublished(String batchId) {
        return jdbc.sql("SELECT count(*) FROM jobs WHERE batch_id = :id AND published_at IS NULL")
                .param("id", batchId)
                .query(Long.class)
                .single();
    }
}
