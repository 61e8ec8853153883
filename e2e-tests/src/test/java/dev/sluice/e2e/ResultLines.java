package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.JsonNode;

/** Assertions on the lines of a batch's result files, in OpenAI's batch output format. */
final class ResultLines {

    private ResultLines() {}

    /** The line carries the provider's 400 with its error message as the response, and no error of Sluice's. */
    static void assertProviderRefusal(JsonNode line) {
        assertThat(line.get("response").get("status_code").asInt()).isEqualTo(400);
        assertThat(line.get("response").get("body").get("error").get("message").asString())
                .isNotBlank();
        assertThat(line.get("error").isNull()).isTrue();
    }
}
