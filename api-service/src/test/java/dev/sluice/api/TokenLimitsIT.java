package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.JobMessage;
import dev.sluice.common.JobMessageCodec;
import dev.sluice.common.TokenEstimate;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Token estimates at submission: stored on the job and carried in its message; and a request larger than a whole
 * token window of its model is a 400 {@code request_too_large} — for a single job, a facade call and a batch line —
 * with nothing stored or published.
 */
class TokenLimitsIT extends ApiTestBase {

    @Autowired
    RabbitTemplate rabbit;

    @Test
    void aRequestLargerThanAWholeTokenWindowIsRefusedEverywhereAndLeavesNothing() {
        String key = newTenantKey();
        String model = uniqueModel("tokens-small");
        expect(
                200,
                put(
                        "/admin/limits",
                        ADMIN_KEY,
                        "{\"model\":\"" + model + "\",\"limits\":[{\"requests\":100,\"per_seconds\":60},"
                                + "{\"tokens\":500,\"per_seconds\":60}]}"));
        long jobs = rows("jobs");
        long batches = rows("batches");
        long depth = queueDepth(model);

        Reply job = expect(400, post("/v1/jobs", key, jobBody(model, 1000)));
        assertThat(job.error().get("code").asString()).isEqualTo("request_too_large");
        assertThat(job.error().get("param").asString()).isEqualTo("body");
        assertThat(job.error().get("message").asString()).contains("500 tokens/60s", "max_tokens");

        String lines = "{\"endpoint\":\"/v1/chat/completions\",\"requests\":[" + line("a", model, 10) + ","
                + line("b", model, 1000) + "," + line("c", model, 10) + "]}";
        Reply batch = expect(400, post("/v1/batches", key, lines));
        assertThat(batch.error().get("code").asString()).isEqualTo("request_too_large");
        assertThat(batch.error().get("param").asString()).isEqualTo("requests[1].body");

        Reply facade = expect(400, post("/v1/chat/completions", key, chat(model, 1000)));
        assertThat(facade.error().get("code").asString()).isEqualTo("request_too_large");

        assertThat(rows("jobs")).isEqualTo(jobs);
        assertThat(rows("batches")).isEqualTo(batches);
        assertThat(queueDepth(model)).isEqualTo(depth);
    }

    @Test
    void theEstimateIsStoredOnTheJobAndCarriedInItsMessage() {
        String key = newTenantKey();
        String model = uniqueModel("tokens-carried");

        String id = expect(202, post("/v1/jobs", key, jobBody(model, 40)))
                .json()
                .get("id")
                .asString();

        Map<String, Object> stored = jdbc.sql(
                        "SELECT prompt_tokens_estimate, max_output_tokens FROM jobs WHERE id = :id")
                .param("id", id)
                .query()
                .singleRow();
        assertThat(stored.get("max_output_tokens")).isEqualTo(40);
        // No tokenizer fits the model: the fallback counts a quarter token per character of the chat.
        assertThat((Integer) stored.get("prompt_tokens_estimate")).isPositive();
        Message message = rabbit.receive(lane(model), 5_000);
        assertThat(message).isNotNull();
        JobMessage decoded =
                JobMessageCodec.decode(message.getBody(), model, "unknown").orElseThrow();
        assertThat(decoded.jobId()).isEqualTo(id);
        assertThat(decoded.tokens()).isEqualTo(new TokenEstimate((Integer) stored.get("prompt_tokens_estimate"), 40));
    }

    private static String chat(String model, int maxTokens) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"How many tokens is this?\"}]}";
    }

    private static String jobBody(String model, int maxTokens) {
        return "{\"url\":\"/v1/chat/completions\",\"body\":" + chat(model, maxTokens) + "}";
    }

    private static String line(String customId, String model, int maxTokens) {
        return "{\"custom_id\":\"" + customId + "\",\"body\":" + chat(model, maxTokens) + "}";
    }
}
