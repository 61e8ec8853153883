package dev.sluice.api.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

class JsonInputTest {

    @Test
    void aStringLongerThanTheLimitIsA400() {
        byte[] body = ("{\"input\": \"" + "x".repeat(JsonInput.MAX_STRING_LENGTH + 1) + "\"}")
                .getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> {
                    try (JsonInput input = JsonInput.objectOf(body)) {
                        input.nextField(new HashSet<>(), null);
                        input.stringOrNull("input");
                    }
                })
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(HttpStatus.BAD_REQUEST);
                    assertThat(e.getMessage()).contains("String value length");
                });
    }

    @Test
    void nestingDeeperThanTheLimitIsA400() {
        String deep = "[".repeat(JsonInput.MAX_NESTING_DEPTH + 1) + "]".repeat(JsonInput.MAX_NESTING_DEPTH + 1);
        byte[] body = ("{\"input\": " + deep + "}").getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> {
                    try (JsonInput input = JsonInput.objectOf(body)) {
                        input.nextField(new HashSet<>(), null);
                        input.tree();
                    }
                })
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(HttpStatus.BAD_REQUEST));
    }
}
