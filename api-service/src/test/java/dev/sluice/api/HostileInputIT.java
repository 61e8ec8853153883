package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.web.JsonInput;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bodies built to hurt the parser are refused at once, with a 400 and nothing stored. */
class HostileInputIT extends ApiTestBase {

    @Test
    void aBodyNestedDeeperThanTheLimitIsRefused() {
        String key = newTenantKey();
        String model = uniqueModel("deep");
        String deep = "[".repeat(JsonInput.MAX_NESTING_DEPTH + 10) + "]".repeat(JsonInput.MAX_NESTING_DEPTH + 10);
        String body = """
                {"endpoint": "/v1/embeddings", "requests": [
                  {"custom_id": "a", "body": {"model": "%s", "input": %s}}]}""".formatted(model, deep);
        Map<String, Long> before = counts();

        Reply reply = expect(400, post("/v1/batches", key, body));

        assertThat(reply.json().get("error").get("code").asString()).isEqualTo("invalid_json");
        assertThat(reply.json().get("error").get("message").asString()).contains("nesting depth");
        assertThat(counts()).isEqualTo(before);
    }

    private Map<String, Long> counts() {
        return Map.of("batches", rows("batches"), "jobs", rows("jobs"), "models", rows("models"));
    }
}
