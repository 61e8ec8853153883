package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.api.dispatch.LostMessageSweeper;
import dev.sluice.api.dispatch.UnpublishedJobSweeper;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class LostMessageSweeperIT extends ApiTestBase {

    @Autowired
    LostMessageSweeper lostMessages;

    @Autowired
    UnpublishedJobSweeper unpublished;

    @Test
    void messagesTheBrokerLostAfterConfirmingThemArePublishedAgain() {
        String key = newTenantKey();
        String model = uniqueModel("lost");
        String id = createBatch(key, aChatBatch().requests(3, model).json());
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(queueDepth(model)).isEqualTo(3L));

        // The broker loses the confirmed messages; PostgreSQL still says the jobs are queued and published.
        amqp.purgeQueue(lane(model), false);
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE batch_id = :id AND published_at IS NOT NULL")
                        .param("id", id)
                        .query(Long.class)
                        .single())
                .isEqualTo(3);

        assertThat(lostMessages.runOnce()).isGreaterThanOrEqualTo(3);
        unpublished.runOnce();

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(queueDepth(model)).isEqualTo(3L));
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE batch_id = :id AND published_at IS NULL")
                        .param("id", id)
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void aQueueThatStillHoldsMessagesIsLeftAlone() {
        String key = newTenantKey();
        String model = uniqueModel("kept");
        expect(200, post("/v1/batches", key, aChatBatch().requests(2, model).json()));
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(queueDepth(model)).isEqualTo(2L));

        lostMessages.runOnce();
        unpublished.runOnce();

        assertThat(queueDepth(model)).isEqualTo(2L);
    }

    @Test
    void jobsBackingOffAreNotTakenForLost() {
        String key = newTenantKey();
        String model = uniqueModel("waiting");
        String id = createBatch(key, aChatBatch().requests(1, model).json());
        amqp.purgeQueue(lane(model), false);
        // A worker holds the message of a job waiting out its backoff: the queue is empty, nothing was lost.
        jdbc.sql("UPDATE jobs SET not_before = now() + interval '1 hour' WHERE batch_id = :id")
                .param("id", id)
                .update();

        lostMessages.runOnce();

        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE batch_id = :id AND published_at IS NULL")
                        .param("id", id)
                        .query(Long.class)
                        .single())
                .isZero();
    }
}
