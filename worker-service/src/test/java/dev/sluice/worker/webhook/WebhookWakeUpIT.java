package dev.sluice.worker.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.worker.Submissions.SubmittedBatch;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * The webhook outbox's loops run because PostgreSQL announced the work (V28), not because their period ended: both
 * periods are an hour here, so whatever arrives within seconds was announced.
 */
@TestPropertySource(
        properties = {"sluice.webhook.listen=true", "sluice.webhook.interval=1h", "sluice.webhook.safety-interval=1h"})
class WebhookWakeUpIT extends LiveWebhookLoops {

    private static final Duration PROMPTLY = Duration.ofSeconds(10);

    @Test
    void aBatchThatCompletesIsSweptAndDeliveredOnTheAnnouncement() {
        SubmittedBatch batch = completedBatch(receiver.url("/batch"));

        await().atMost(PROMPTLY).until(() -> receiver.received().size() == 1);
        assertThat(receiver.received().getFirst().body())
                .contains("\"type\":\"batch.completed\"", "\"id\":\"" + batch.batchId() + "\"");
    }

    @Test
    void aSingleJobThatSucceedsIsSweptAndDeliveredOnTheAnnouncement() {
        String jobId = succeededSingleJob(receiver.url("/job"));

        await().atMost(PROMPTLY).until(() -> receiver.received().size() == 1);
        assertThat(receiver.received().getFirst().body()).contains("\"data\":{\"id\":\"" + jobId + "\"}");
    }

    /** The failed attempt schedules a retry 200 ms later: the delivery sleeps until then, not for its period. */
    @Test
    void aRetryIsSentWhenItComesDue() {
        receiver.answering(500);
        completedBatch(receiver.url("/flaky"));

        await().atMost(PROMPTLY).until(() -> receiver.received().size() == 2);
        assertThat(receiver.received().get(1).header("webhook-id"))
                .isEqualTo(receiver.received().get(0).header("webhook-id"));
    }

    /** A redelivery (what the admin API asks for) is announced too. */
    @Test
    void aRedeliveryIsSentOnTheAnnouncement() {
        SubmittedBatch batch = completedBatch(receiver.url("/again"));
        await().atMost(PROMPTLY).until(() -> receiver.received().size() == 1);
        String eventId = eventOf(batch.batchId());
        await().atMost(PROMPTLY).until(() -> "delivered".equals(status(eventId)));

        assertThat(jdbc.sql(REDELIVER).param("id", eventId).update()).isEqualTo(1);

        await().atMost(PROMPTLY).until(() -> receiver.received().size() == 2);
    }
}
