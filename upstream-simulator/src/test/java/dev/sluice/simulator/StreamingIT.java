package dev.sluice.simulator;

import static dev.sluice.simulator.SimulatorClient.KEY;
import static dev.sluice.simulator.SimulatorClient.MODEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.simulator.http.Json;
import dev.sluice.simulator.openai.StreamingMode;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

class StreamingIT {

    private static final String STREAM = "{\"model\": \"" + MODEL + "\", \"stream\": true, "
            + "\"stream_options\": {\"include_usage\": true}, \"messages\": [{\"role\": \"user\", \"content\": \"hi there\"}]}";

    @Test
    void workingStreamSendsChunksAndEndsWithDone() {
        try (Simulator sim = Simulator.start(SimulatorConfig.forTests().withStreaming(StreamingMode.WORKING))) {
            SimulatorClient client = new SimulatorClient(sim);
            HttpResponse<String> response = client.send(client.post("/v1/chat/completions", KEY, STREAM));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));

            List<String> events = Arrays.stream(response.body().split("\n\n")).toList();
            assertThat(events.getLast()).isEqualTo("data: [DONE]");
            StringBuilder content = new StringBuilder();
            for (String event : events.subList(0, events.size() - 1)) {
                JsonNode chunk = Json.MAPPER.readTree(event.substring("data: ".length()));
                assertThat(chunk.get("object").stringValue()).isEqualTo("chat.completion.chunk");
                for (JsonNode choice : chunk.get("choices")) {
                    content.append(choice.get("delta").path("content").asString(""));
                }
            }
            assertThat(content).hasToString("echo: hi there");
            assertThat(events.get(events.size() - 2)).contains("\"total_tokens\":5");
            assertThat(sim.stats().model(MODEL).answered()).isEqualTo(1);
        }
    }

    @Test
    void brokenStreamSendsOneMalformedChunkAndCutsOff() throws Exception {
        try (Simulator sim = Simulator.start(SimulatorConfig.forTests())) {
            SimulatorClient client = new SimulatorClient(sim);
            HttpRequest request = client.post("/v1/chat/completions", KEY, STREAM);
            HttpResponse<InputStream> response = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .build()
                    .send(request, HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));

            String received = new String(FaultsIT.readUntilClosed(response.body()), StandardCharsets.UTF_8);
            assertThat(received).startsWith("data: {").doesNotContain("[DONE]").doesNotContain("\n\n");
            assertThatThrownBy(() -> Json.MAPPER.readTree(received.substring(6)))
                    .isInstanceOf(JacksonException.class);
            assertThatThrownBy(() -> client.send(request)).hasCauseInstanceOf(IOException.class);
            assertThat(sim.stats().model(MODEL).errors().brokenStream()).isEqualTo(2);
        }
    }
}
