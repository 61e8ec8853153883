package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class ApiClientTest {

    private final ApiClient client =
            new ApiClient(URI.create("http://sluice:8080"), "sk-the-key", "SLUICE_API_KEY or --api-key");

    @Test
    void eachStatusMapsToItsExitCodeWithTheServersMessageOnOneLine() {
        String refused =
                "{\"error\": {\"message\": \"Incorrect API key provided.\", \"type\": \"invalid_request_error\"}}";

        CliException key = client.failure(401, refused, "GET", "/v1/batches");
        CliException missing = client.failure(
                404, "{\"error\": {\"message\": \"No batch found with id 'batch_x'.\"}}", "GET", "/v1/batches/batch_x");

        assertThat(key.exitCode()).isEqualTo(ExitCode.KEY_REFUSED);
        assertThat(key.getMessage())
                .isEqualTo("the server refused the key (401 on GET /v1/batches): Incorrect API key "
                        + "provided. Check SLUICE_API_KEY or --api-key.");
        assertThat(client.failure(403, refused, "GET", "/admin/queues").exitCode())
                .isEqualTo(ExitCode.KEY_REFUSED);
        assertThat(missing.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(missing.getMessage()).contains("No batch found with id 'batch_x'.");
        assertThat(client.failure(400, "{}", "POST", "/v1/batches").exitCode()).isEqualTo(ExitCode.REJECTED);
        assertThat(client.failure(429, "slow down", "GET", "/v1/batches").exitCode())
                .isEqualTo(ExitCode.REJECTED);
        assertThat(client.failure(502, "<html>\n<body>Bad Gateway</body>\n</html>", "GET", "/v1/batches"))
                .satisfies(e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.SERVER_ERROR);
                    assertThat(e.getMessage())
                            .contains("<html> <body>Bad Gateway</body> </html>")
                            .doesNotContain("\n");
                });
    }

    @Test
    void onlyWhatMayPassIsRetriedWhileWatching() {
        assertThat(client.failure(429, "", "GET", "/v1/batches/b").passing()).isTrue();
        assertThat(client.failure(503, "", "GET", "/v1/batches/b").passing()).isTrue();
        assertThat(client.failure(401, "", "GET", "/v1/batches/b").passing()).isFalse();
        assertThat(client.failure(404, "", "GET", "/v1/batches/b").passing()).isFalse();
        assertThat(client.failure(400, "", "GET", "/v1/batches/b").passing()).isFalse();
    }

    @Test
    void theKeyNeverAppearsEvenWhenTheServerEchoesIt() {
        CliException echoed =
                client.failure(401, "{\"error\": {\"message\": \"Key sk-the-key is revoked\"}}", "GET", "/v1/batches");

        assertThat(echoed.getMessage()).doesNotContain("sk-the-key").contains("Key *** is revoked.");
    }

    @Test
    void aLongBodyIsCutShort() {
        assertThat(ApiClient.message("x".repeat(1000))).hasSize(301).endsWith("…");
        assertThat(ApiClient.message("")).isEqualTo("(no message)");
    }
}
