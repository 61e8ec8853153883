package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.api.dispatch.LostMessageSweeper;
import dev.sluice.api.dispatch.UnpublishedJobSweeper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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

    @Autowired
    LostMessageSweeper lostMessages;

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
        assertThat(publication(batchId))
                .as("a finished publication leaves no row")
                .isEmpty();
        assertThat(markedLater(batchId))
                .as("jobs marked one by one after they were stored")
                .isZero();
        // Exactly one message per job: nothing consumes the queue in these tests.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(queueDepth(model)).isEqualTo(LINES));
        assertThat(sweeper.runOnce()).isZero();
        assertThat(queueDepth(model)).isEqualTo(LINES);
    }

    @Test
    void aStoppedPublicationIsFinishedFromItsFirstUnconfirmedLineOnceItsLeaseHasRunOut() {
        String key = newTenantKey();
        String model = uniqueModel("stopped");
        String batchId = publishedThenPurged(key, model, 5);
        assertThat(publication(batchId)).isEmpty();
        // What a publisher that died after the broker confirmed lines 1 and 2 leaves: the rest of its publication,
        // under its lease. Line 4 was cancelled meanwhile.
        stoppedAt(batchId, 3);
        cancelLine(batchId, 4);
        leaseUntil(batchId, "+ interval '90 seconds'");

        sweeper.runOnce();
        assertThat(unpublished(batchId)).isEqualTo(2);
        assertThat(queueDepth(model)).isZero();

        // Nobody renewed it: the lease runs out and the sweeper sends lines 3 and 5, and only them.
        leaseUntil(batchId, "- interval '1 second'");
        assertThat(sweeper.runOnce()).isGreaterThanOrEqualTo(2);
        assertThat(unpublished(batchId)).isZero();
        assertThat(publication(batchId)).as("the publication is over").isEmpty();
        assertThat(lease(batchId)).as("the sweeper's own lease ended").isNull();
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(queueDepth(model)).isEqualTo(2L));
        sweeper.runOnce();
        assertThat(queueDepth(model)).as("nothing sent twice").isEqualTo(2L);
    }

    @Test
    void aPublicationWithNothingLeftQueuedEndsWithoutAMessage() {
        String key = newTenantKey();
        String model = uniqueModel("nothing-left");
        String batchId = publishedThenPurged(key, model, 2);
        stoppedAt(batchId, 2);
        cancelLine(batchId, 2);

        assertThat(sweeper.runOnce()).isZero();
        assertThat(publication(batchId)).isEmpty();
        assertThat(queueDepth(model)).isZero();
    }

    @Test
    void theLostMessageSweeperLeavesLinesOfAPublicationInProgressToIt() {
        String key = newTenantKey();
        String model = uniqueModel("in-progress");
        String batchId = publishedThenPurged(key, model, 3);
        // A publisher still at line 2 of a batch stored long ago, its queue empty so far.
        stoppedAt(batchId, 2);
        leaseUntil(batchId, "+ interval '90 seconds'");
        jdbc.sql("UPDATE jobs SET published_at = now() - interval '1 hour' WHERE batch_id = :id")
                .param("id", batchId)
                .update();

        // Line 1's message was confirmed and is gone: lost. Lines 2 and 3 are the publisher's.
        lostMessages.runOnce();
        assertThat(jdbc.sql("SELECT line_no FROM jobs WHERE batch_id = :id AND published_at IS NULL")
                        .param("id", batchId)
                        .query(Integer.class)
                        .list())
                .containsExactly(1);
        // Nothing left for the other tests' sweeps.
        jdbc.sql("DELETE FROM batch_publications WHERE batch_id = :id")
                .param("id", batchId)
                .update();
        for (int line = 1; line <= 3; line++) {
            cancelLine(batchId, line);
        }
    }

    /** A batch stored before V36, its jobs marked one by one: an unmarked job is the sweeper's after the lease. */
    @Test
    void sweeperPublishesABatchOnlyOnceItsPublishingLeaseHasRunOut() {
        String key = newTenantKey();
        String model = uniqueModel("lease");
        String batchId = publishedThenPurged(key, model, 5);
        assertThat(lease(batchId))
                .as("a small batch's lease ends with its only chunk")
                .isNull();
        // What a publisher that died after storing the batch leaves: unpublished jobs under its lease.
        jdbc.sql("UPDATE jobs SET published_at = NULL WHERE batch_id = :id")
                .param("id", batchId)
                .update();
        leaseUntil(batchId, "+ interval '90 seconds'");

        sweeper.runOnce();
        assertThat(unpublished(batchId)).isEqualTo(5);
        assertThat(queueDepth(model)).isZero();

        // Nobody renewed it: the lease runs out and the sweeper takes over.
        leaseUntil(batchId, "- interval '1 second'");
        sweeper.runOnce();
        assertThat(unpublished(batchId)).isZero();
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(queueDepth(model)).isEqualTo(5L));
    }

    @Test
    void theFirstChunkGoesOutInGrowingStepsAllBeforeTheAnswer() {
        String key = newTenantKey();
        String model = uniqueModel("steps");
        // Each step is confirmed and recorded in a transaction of its own: a trigger of this test's keeps the moves of
        // the batch's publication.
        jdbc.sql("""
                CREATE TABLE IF NOT EXISTS publication_moves (
                    batch_id text, unconfirmed_from integer, seq bigint GENERATED ALWAYS AS IDENTITY);
                CREATE OR REPLACE FUNCTION keep_publication_move() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO publication_moves (batch_id, unconfirmed_from)
                    VALUES (OLD.batch_id, CASE WHEN TG_OP = 'UPDATE' THEN NEW.unconfirmed_from END);
                    RETURN NULL;
                END $$;
                CREATE OR REPLACE TRIGGER keep_publication_moves AFTER UPDATE OR DELETE ON batch_publications
                    FOR EACH ROW EXECUTE FUNCTION keep_publication_move();
                """).update();
        String batchId;
        try {
            batchId = createBatch(key, aChatBatch().requests(100, model).json());
        } finally {
            jdbc.sql("DROP TRIGGER keep_publication_moves ON batch_publications")
                    .update();
        }

        assertThat(unpublished(batchId))
                .as("a batch within one chunk is wholly published when the POST answers")
                .isZero();
        // 16 lines, then 64, then the 20 left, in line order; the last confirm ends the publication (null).
        List<Integer> moves = jdbc.sql(
                        "SELECT unconfirmed_from FROM publication_moves WHERE batch_id = :id ORDER BY seq")
                .param("id", batchId)
                .query((rs, n) -> (Integer) rs.getObject(1))
                .list();
        assertThat(moves).containsExactly(17, 81, null);
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
        return unpublishedOfBatch(batchId);
    }

    /** A batch of {@code lines} jobs, published, whose messages the broker then lost (this test's doing). */
    private String publishedThenPurged(String key, String model, int lines) {
        String batchId = createBatch(key, aChatBatch().requests(lines, model).json());
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(queueDepth(model)).isEqualTo(lines));
        amqp.purgeQueue(lane(model), false);
        return batchId;
    }

    /** What a publisher that stopped before the broker confirmed line {@code line} leaves of its publication. */
    private void stoppedAt(String batchId, int line) {
        jdbc.sql("INSERT INTO batch_publications (batch_id, unconfirmed_from) VALUES (:id, :line)")
                .param("id", batchId)
                .param("line", line)
                .update();
    }

    private void cancelLine(String batchId, int line) {
        jdbc.sql("UPDATE jobs SET status = 'cancelled', completed_at = now() WHERE batch_id = :id AND line_no = :line")
                .param("id", batchId)
                .param("line", line)
                .update();
    }

    /** Sets the batch's publishing lease to {@code now() <offset>}, e.g. {@code "- interval '1 second'"}. */
    private void leaseUntil(String batchId, String offset) {
        jdbc.sql("UPDATE batches SET publishing_until = now() " + offset + " WHERE id = :id")
                .param("id", batchId)
                .update();
    }

    /** The first unconfirmed line of the batch's publication in progress; empty when none is. */
    private Optional<Integer> publication(String batchId) {
        return jdbc.sql("SELECT unconfirmed_from FROM batch_publications WHERE batch_id = :id")
                .param("id", batchId)
                .query(Integer.class)
                .optional();
    }

    /** Jobs of the batch whose {@code published_at} is not the time they were stored at. */
    private long markedLater(String batchId) {
        return jdbc.sql("SELECT count(*) FROM jobs WHERE batch_id = :id AND published_at IS DISTINCT FROM created_at")
                .param("id", batchId)
                .query(Long.class)
                .single();
    }
}
