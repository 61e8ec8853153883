package dev.sluice.db.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class InputLineTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void rendersOneLineOfOpenAisInputFormatKeepingTheBodyAsSent() {
        String body = "{ \"model\" : \"m\",\r\n \"messages\": [{\"content\": \"a\\nb \\u0000 caf\u00e9\"}]\n}";

        String line = InputLine.render("id \"1\" \u2603", "/v1/chat/completions", body);

        assertThat(line)
                .doesNotContain("\n", "\r")
                .startsWith("{\"custom_id\":\"id \\\"1\\\" \u2603\",\"method\":\"POST\"");
        JsonNode parsed = JSON.readTree(line);
        assertThat(parsed.get("custom_id").asString()).isEqualTo("id \"1\" \u2603");
        assertThat(parsed.get("method").asString()).isEqualTo("POST");
        assertThat(parsed.get("url").asString()).isEqualTo("/v1/chat/completions");
        assertThat(parsed.get("body")).isEqualTo(JSON.readTree(body));
    }

    @Test
    void bytesCountTheLineAndItsNewlineInUtf8() {
        String body = "{\"model\":\"caf\u00e9\"}";

        long bytes = InputLine.bytes("\u2603", "/v1/embeddings", body);

        assertThat(bytes)
                .isEqualTo((InputLine.render("\u2603", "/v1/embeddings", body) + "\n")
                        .getBytes(StandardCharsets.UTF_8)
                        .length);
        assertThat(bytes)
                .isGreaterThan(
                        InputLine.render("\u2603", "/v1/embeddings", body).length() + 1);
    }
}
