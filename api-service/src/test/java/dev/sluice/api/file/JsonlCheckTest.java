package dev.sluice.api.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.sluice.api.web.ApiException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class JsonlCheckTest {

    private static final int MAX_LINE = 64;

    @Test
    void acceptsJsonlSplitAnywhereEvenInsideACharacter() {
        byte[] file =
                "{\"custom_id\":\"caf\u00e9 \u20ac \uD83D\uDE00\"}\r\n\n  {\"b\":1}\n".getBytes(StandardCharsets.UTF_8);
        for (int split = 0; split <= file.length; split++) {
            JsonlCheck check = new JsonlCheck(MAX_LINE);
            check.feed(Arrays.copyOfRange(file, 0, split), split);
            byte[] rest = Arrays.copyOfRange(file, split, file.length);
            check.feed(rest, rest.length);
            assertThatCode(check::finish).as("split at %d", split).doesNotThrowAnyException();
        }
    }

    @Test
    void acceptsAByteOrderMarkAtTheStartOnly() {
        ByteArrayOutputStream bom = new ByteArrayOutputStream();
        bom.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        bom.writeBytes("{}\n".getBytes(StandardCharsets.UTF_8));
        assertThatCode(() -> check(bom.toByteArray())).doesNotThrowAnyException();
        assertThat(refusal(("{}\n\uFEFF{}\n").getBytes(StandardCharsets.UTF_8)).code())
                .isEqualTo("invalid_file_format");
    }

    @Test
    void refusesWhatIsNotUtf8JsonlNamingTheLine() {
        assertThat(refusal("{}\n{}\n[1]\n".getBytes(StandardCharsets.UTF_8)).getMessage())
                .contains("Line 3");
        assertThat(refusal("{\"a\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1))
                        .code())
                .isEqualTo("invalid_file_encoding");
        assertThat(refusal(new byte[] {'{', '}', '\n', '{', (byte) 0xE2, (byte) 0x82})
                        .code())
                .isEqualTo("invalid_file_encoding");
        assertThat(refusal("{\"a\u0000\"}".getBytes(StandardCharsets.UTF_8)).code())
                .isEqualTo("invalid_file_encoding");
        assertThat(refusal(" \n\t\r\n".getBytes(StandardCharsets.UTF_8)).code()).isEqualTo("empty_file");
    }

    @Test
    void refusesALineLongerThanTheLimitNamingItWhereverThePartsSplitIt() {
        String longest = "{\"a\":\"" + "x".repeat(MAX_LINE - 8) + "\"}";
        assertThat(longest).hasSize(MAX_LINE);
        assertThatCode(() -> check((longest + "\n" + longest + "\n").getBytes(StandardCharsets.UTF_8)))
                .doesNotThrowAnyException();

        byte[] file = ("{}\n" + longest.replace("{", "{ ") + "\n").getBytes(StandardCharsets.UTF_8);
        ApiException refused = refusal(file);
        assertThat(refused.code()).isEqualTo("line_too_long");
        assertThat(refused.getMessage()).contains("Line 2", "64 bytes");
        JsonlCheck split = new JsonlCheck(MAX_LINE);
        split.feed(Arrays.copyOfRange(file, 0, 20), 20);
        byte[] rest = Arrays.copyOfRange(file, 20, file.length);
        assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(
                                ApiException.class, () -> split.feed(rest, rest.length))
                        .code())
                .isEqualTo("line_too_long");
    }

    private static void check(byte[] file) {
        JsonlCheck check = new JsonlCheck(MAX_LINE);
        check.feed(file, file.length);
        check.finish();
    }

    private static ApiException refusal(byte[] file) {
        try {
            check(file);
        } catch (ApiException e) {
            assertThat(e.param()).isEqualTo("file");
            assertThat(e.status().value()).isEqualTo(400);
            return e;
        }
        throw new AssertionError("expected a refusal");
    }
}
