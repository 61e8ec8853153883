package dev.sluice.worker.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.worker.Submissions.SubmittedBatch;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * Webhook work whose announcement was missed (made here so that V28 announces nothing, as if no worker had been
 * listening) is still done, by the loops' safety period (2 s here; the period while not listening is an hour, so it
 * is the safety net, not the fallback, that finds it).
 */
@TestPropertySource(
        properties = {"sluice.webhook.listen=true", "sluice.webhook.interval=1h", "sluice.webhook.safety-interval=2s"})
class WebhookSafetyNetIT extends LiveWebhookLoops {

    private static final Duration SOON = Duration.ofSeconds(15);

    @Test
    void aBatchCompletedUnannouncedIsSweptAndDeliveredByTheSafetyPeriod() {
        String url = receiver.url("/missed");
        SubmittedBatch batch = batchWithWebhook(url);
        // Without its webhook_url the batch's completion is not announced (V28); given back afterwards, the batch is
        // a finished subject without an event that nobody announced, as if no worker had listened.
        setWebhookUrl(batch.batchId(), null);
        complete(batch);
        setWebhookUrl(batch.batchId(), url);

        await().atMost(SOON).until(() -> receiver.received().size() == 1);
        assertThat(receiver.received().getFirst().body()).contains("\"id\":\"" + batch.batchId() + "\"");
    }

    @Test
    void anEventDueUnannouncedIsSentByTheSafetyPeriod() {
        SubmittedBatch batch = completedBatch(receiver.url("/missed-again"));
        await().atMost(SOON).until(() -> receiver.received().size() == 1);
        String eventId = eventOf(batch.batchId());
        await().atMost(SOON).until(() -> "delivered".equals(status(eventId)));

        // Due again, with its attempts counted the way a claim counts them: V28 announces no claim.
        assertThat(jdbc.sql("""
                        UPDATE webhook_events
                           SET status = 'pending', attempts = attempts + 1, round_attempts = 0,
                               next_attempt_at = now(), delivered_at = NULL
                         WHERE id = :id
                        """).param("id", eventId).update()).isEqualTo(1);

        await().atMost(SOON).until(() -> receiver.received().size() == 2);
    }

    private void setWebhookUrl(String batchId, String url) {
        jdbc.sql("UPDATE batches SET webhook_url = :url WHERE id = :id")
                .param("url", url)
                .param("id", batchId)
                .update();
    }
}
