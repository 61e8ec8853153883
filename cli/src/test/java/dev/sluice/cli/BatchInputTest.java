package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchInputTest {

    @TempDir
    Path dir;

    @Test
    void theEndpointIsTheFirstLinesUrlUnlessGiven() throws IOException {
        Path file = Files.writeString(dir.resolve("in.jsonl"), """
                {"custom_id": "a", "method": "POST", "url": "/v1/embeddings", "body": {"model": "m", "input": "x"}}

                {"custom_id": "b", "method": "POST", "url": "/v1/embeddings", "body": {"model": "m", "input": "y"}}
                """);

        BatchInput input = BatchInput.read(file);

        assertThat(input.requests()).isEqualTo(2);
        assertThat(input.endpoint(null)).isEqualTo("/v1/embeddings");
        assertThat(input.endpoint("/v1/chat/completions")).isEqualTo("/v1/chat/completions");
    }

    @Test
    void withoutAUrlTheEndpointMustBeGiven() throws IOException {
        BatchInput input = BatchInput.read(Files.writeString(dir.resolve("in.jsonl"), "{\"custom_id\": \"a\"}\n"));

        assertThatThrownBy(() -> input.endpoint(null)).isInstanceOfSatisfying(CliException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
            assertThat(e.getMessage()).contains("pass --endpoint");
        });
    }

    @Test
    void whatIsNotABatchInputFileIsRefusedBeforeUploading() throws IOException {
        assertRefused(Files.writeString(dir.resolve("empty.jsonl"), "\n\n"), ExitCode.REJECTED, "has no requests");
        assertRefused(
                Files.writeString(dir.resolve("csv.jsonl"), "a,b,c\n"), ExitCode.REJECTED, "is not a JSON object");
        assertRefused(
                Files.write(dir.resolve("latin1.jsonl"), new byte[] {'{', (byte) 0xE9, '}'}),
                ExitCode.REJECTED,
                "is not UTF-8");
        assertRefused(dir, ExitCode.NOT_FOUND, "is not a readable file");
        assertRefused(dir.resolve("absent.jsonl"), ExitCode.NOT_FOUND, "does not exist");
    }

    private static void assertRefused(Path file, ExitCode code, String message) {
        assertThatThrownBy(() -> BatchInput.read(file)).isInstanceOfSatisfying(CliException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(code);
            assertThat(e.getMessage()).contains(message);
        });
    }
}
