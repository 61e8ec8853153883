package dev.sluice.common.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Signatures as the Standard Webhooks reference library verifies them. */
class WebhookSignatureTest {

    private static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(new byte[32]);
    private static final String OTHER = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    @Test
    void theReferenceLibraryVerifiesTheSignature() throws Exception {
        long now = Instant.now().getEpochSecond();
        String body = WebhookPayload.of("evt_1", "batch.completed", now, "batch_1");
        String signature = WebhookSignature.header(List.of(SECRET), "evt_1", now, body);

        new Webhook(SECRET).verify(body, headers("evt_1", now, signature));
        assertThat(signature).isEqualTo(new Webhook(SECRET).sign("evt_1", now, body));
    }

    @Test
    void duringARotationEitherSecretVerifies() throws Exception {
        long now = Instant.now().getEpochSecond();
        String body = WebhookPayload.of("evt_2", "job.failed", now, "job_2");
        String signature = WebhookSignature.header(List.of(SECRET, OTHER), "evt_2", now, body);

        assertThat(signature.split(" ")).hasSize(2);
        new Webhook(SECRET).verify(body, headers("evt_2", now, signature));
        new Webhook(OTHER).verify(body, headers("evt_2", now, signature));
    }

    @Test
    void aChangedBodyOrAnotherSecretFails() {
        long now = Instant.now().getEpochSecond();
        String body = WebhookPayload.of("evt_3", "batch.failed", now, "batch_3");
        String signature = WebhookSignature.header(List.of(SECRET), "evt_3", now, body);

        assertThatThrownBy(() -> new Webhook(SECRET).verify(body + " ", headers("evt_3", now, signature)))
                .isInstanceOf(WebhookVerificationException.class);
        assertThatThrownBy(() -> new Webhook(OTHER).verify(body, headers("evt_3", now, signature)))
                .isInstanceOf(WebhookVerificationException.class);
    }

    @Test
    void thePayloadIsOpenAisEventShape() {
        assertThat(WebhookPayload.of("evt_4", "batch.cancelled", 1700000000L, "batch_4"))
                .isEqualTo(
                        "{\"id\":\"evt_4\",\"object\":\"event\",\"type\":\"batch.cancelled\",\"created_at\":1700000000,"
                                + "\"data\":{\"id\":\"batch_4\"}}");
        assertThatThrownBy(() -> WebhookPayload.of("evt_\"", "batch.completed", 1, "batch_4"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static Map<String, List<String>> headers(String id, long timestamp, String signature) {
        return Map.of(
                "webhook-id",
                List.of(id),
                "webhook-timestamp",
                List.of(Long.toString(timestamp)),
                "webhook-signature",
                List.of(signature));
    }
}
