package dev.sluice.worker.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.db.operations.QueueStats;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A model name is the tenant's choice: in the backlog alert it must stay text, never Slack markup. */
class AlertTextTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @ParameterizedTest(name = "model {0}")
    @ValueSource(
            strings = {
                "<!channel>",
                "<!here|here>",
                "<@U123>",
                "<http://evil.example|click here>",
                "*bold*",
                "_italic_",
                "~struck~",
                "`code`",
                "a&lt;b",
                "gpt\n[RESOLVED] all clear",
                "quote\" and \\backslash\u0000nul",
                "line\u2028separator"
            })
    void aHostileModelNameCannotBecomeMarkupOrBreakTheMessage(String model) {
        QueueStats queue = new QueueStats(model, 2, 0, Instant.EPOCH, 0, 1);
        for (boolean fires : new boolean[] {true, false}) {
            String text = BacklogAlerts.text(queue, Duration.ofMinutes(20), fires, Duration.ofMinutes(15));

            assertThat(text)
                    .doesNotContain(
                            "<", ">", "*bold*", "_italic_", "~struck~", "`code`", "&lt;b", "\n", "\u0000", "\u2028");
            JsonNode body = JSON.readTree(AlertWebhook.body(text));
            assertThat(body.get("text").asString()).isEqualTo(text);
            assertThat(body.get("mrkdwn").asBoolean(true)).isFalse();
        }
    }

    @ParameterizedTest(name = "model {0} reads unchanged")
    @ValueSource(strings = {"gpt-4o-mini", "meta-llama/llama-3.2-1b-instruct", "google/gemma-2-9b-it"})
    void anOrdinaryModelNameReadsUnchanged(String model) {
        String text = BacklogAlerts.text(
                new QueueStats(model, 2, 0, Instant.EPOCH, 0, 1), Duration.ofMinutes(20), true, Duration.ofMinutes(15));

        assertThat(text).contains("model " + model + " is 1200 s old (threshold 900 s)");
    }
}
