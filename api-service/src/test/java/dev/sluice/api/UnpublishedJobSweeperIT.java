package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.api.dispatch.UnpublishedJobSweeper;
import dev.sluice.common.Ids;
import dev.sluice.common.JobMessage;
import dev.sluice.common.JobMessageCodec;
import dev.sluice.common.TokenEstimate;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.job.NewJob;
import dev.sluice.db.tenant.TenantEntityRepository;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;

class UnpublishedJobSweeperIT extends ApiTestBase {

    @Autowired
    UnpublishedJobSweeper sweeper;

    @Autowired
    JobRepository jobs;

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    TenantEntityRepository tenants;

    @Test
    void publishesStoredJobsThatNeverReachedTheBroker() {
        String tenantId = Ids.tenant();
        tenants.createTenantWithKey(
                tenantId,
                Ids.apiKey(),
                "sweeper",
                Ids.random(32).getBytes(),
                "sk-sluice-test",
                "whsec_test",
                Instant.now());
        String model = uniqueModel("swept");
        List<NewJob> stored = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            stored.add(new NewJob(
                    Ids.job(),
                    tenantId,
                    null,
                    null,
                    "c" + i,
                    "/v1/embeddings",
                    model,
                    "{\"model\":\"" + model + "\",\"input\":\"x\"}",
                    2,
                    null,
                    null,
                    // The third was stored before estimates were made.
                    i == 2 ? null : new TokenEstimate(7 + i, i == 0 ? null : 30)));
        }
        jobs.insertAll(stored, Instant.now().minusSeconds(1));
        assertThat(unpublished(model)).isEqualTo(3);

        assertThat(sweeper.runOnce()).isGreaterThanOrEqualTo(3);

        assertThat(unpublished(model)).isZero();
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(queueDepth(model)).isEqualTo(3L));
        assertThat(sweeper.runOnce()).isZero();
        // The republished messages carry each job's stored estimate.
        Map<String, TokenEstimate> carried = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            Message message = rabbit.receive(lane(model), 5000);
            assertThat(message).isNotNull();
            JobMessage job =
                    JobMessageCodec.decode(message.getBody(), model, "unknown").orElseThrow();
            carried.put(job.jobId(), job.tokens());
        }
        assertThat(carried)
                .containsEntry(stored.get(0).id(), new TokenEstimate(7, null))
                .containsEntry(stored.get(1).id(), new TokenEstimate(8, 30))
                .containsEntry(stored.get(2).id(), TokenEstimate.UNKNOWN);
    }

    @Test
    void aLaneQueueDeletedMeanwhileIsDeclaredAgainAndTheMessagesGoOutAtOnce() {
        String key = newTenantKey();
        String model = uniqueModel("returned");
        expect(
                200,
                post("/v1/batches", key, aChatBatch().request("warm-up", model).json()));
        // A worker deletes an emptied lane's queue while this process still believes it exists: the broker returns
        // the next messages as unroutable, and the publisher declares the queue again and sends them once more.
        String lane = lane(model);
        amqp.deleteQueue(lane);

        String id = createBatch(key, aChatBatch().requests(4, model).json());

        assertThat(unpublishedOfBatch(id)).isZero();
        assertThat(amqp.getQueueInfo(lane).getMessageCount()).isEqualTo(4);
        assertThat(jdbc.sql("SELECT count(*) FROM lanes WHERE model = :model")
                        .param("model", model)
                        .query(Long.class)
                        .single())
                .as("the lane waits")
                .isOne();
    }

    @Test
    void jobsStillBackingOffAreLeftForLater() {
        String key = newTenantKey();
        String model = uniqueModel("backoff");
        String id = createBatch(key, aChatBatch().requests(2, model).json());
        amqp.purgeQueue(lane(model), false);
        // What a worker's re-queue after a 429 leaves behind: unpublished, not to run for a while.
        jdbc.sql("UPDATE jobs SET published_at = NULL, not_before = now() + interval '1 hour' WHERE batch_id = :id "
                        + "AND line_no = 1")
                .param("id", id)
                .update();
        jdbc.sql("UPDATE jobs SET published_at = NULL WHERE batch_id = :id AND line_no = 2")
                .param("id", id)
                .update();

        sweeper.runOnce();

        assertThat(jdbc.sql("SELECT line_no FROM jobs WHERE batch_id = :id AND published_at IS NULL")
                        .param("id", id)
                        .query(Integer.class)
                        .list())
                .containsExactly(1);
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(queueDepth(model)).isEqualTo(1L));
    }

    private long unpublished(String model) {
        return jdbc.sql("SELECT count(*) FROM jobs WHERE model = :model AND published_at IS NULL")
                .param("model", model)
                .query(Long.class)
                .single();
    }
}
