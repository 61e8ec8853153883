package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * True streaming through Sluice ({@code SLUICE_UPSTREAM_STREAMING=true} on the worker), seen through the
 * openai-java SDK's streaming API: a working provider stream is relayed chunk by chunk (the simulator sends one
 * chunk per word, which the api's own re-chunking never does), and a broken one is never relayed: the job is
 * retried without streaming and the caller still gets the whole answer.
 */
class StreamRelayIT {

    private static final String MODEL = "openai/gpt-4o-mini";

    private static final Map<String, String> SIMULATOR_ENV = Map.of(
            "SIMULATOR_LIMIT",
            "100/1s",
            "SIMULATOR_LATENCY_MS",
            "50",
            "SIMULATOR_JITTER_MS",
            "0",
            "SIMULATOR_STREAMING",
            "working");
    private static final Map<String, String> SLUICE_ENV = Map.of(
            "SLUICE_DEFAULT_LIMIT",
            "100/1s",
            "SLUICE_UPSTREAM_STREAMING",
            "true",
            "SLUICE_RETRY_INITIAL_BACKOFF",
            "200ms");

    @RegisterExtension
    static final SdkSession SDK = new SdkSession("streamer", SIMULATOR_ENV, SLUICE_ENV);

    @Test
    void aWorkingProviderStreamIsRelayedChunkByChunk() {
        assertThat(SDK.stack()
                        .simulator()
                        .put("/__config", Map.of("streaming", "working"))
                        .status())
                .isEqualTo(200);
        Streamed streamed = stream("relay these words one by one please");

        JsonNode job = SDK.stack()
                .client(SDK.key())
                .get("/v1/jobs/" + streamed.jobId())
                .json();
        assertThat(job.get("status").asString()).isEqualTo("succeeded");
        assertThat(job.get("attempts").asInt()).isEqualTo(1);
        String whole = job.at("/response/body/choices/0/message/content").asString();
        assertThat(streamed.text()).isEqualTo(whole);
        // The provider's chunking, not ours: one content chunk per word.
        assertThat(streamed.contentChunks()).isEqualTo(whole.split(" ").length);
    }

    @Test
    void aBrokenProviderStreamIsNeverRelayedAndTheCallerStillGetsTheWholeAnswer() {
        assertThat(SDK.stack()
                        .simulator()
                        .put("/__config", Map.of("streaming", "broken"))
                        .status())
                .isEqualTo(200);
        Streamed streamed = stream("this stream will break halfway");

        JsonNode job = SDK.stack()
                .client(SDK.key())
                .get("/v1/jobs/" + streamed.jobId())
                .json();
        assertThat(job.get("status").asString()).isEqualTo("succeeded");
        assertThat(job.get("attempts").asInt())
                .as("the broken stream, then the non-streaming retry")
                .isEqualTo(2);
        assertThat(streamed.text())
                .isEqualTo(job.at("/response/body/choices/0/message/content").asString())
                .isNotEmpty();
        assertThat(streamed.finishReasons()).isEqualTo(1);
    }

    /** What the SDK's stream gave. */
    private record Streamed(String jobId, String text, int contentChunks, int finishReasons) {}

    private static Streamed stream(String prompt) {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model(MODEL)
                .addUserMessage(prompt)
                .build();
        StringBuilder text = new StringBuilder();
        int contentChunks = 0;
        int finishReasons = 0;
        HttpResponseFor<StreamResponse<ChatCompletionChunk>> response =
                SDK.client().chat().completions().withRawResponse().createStreaming(params);
        String jobId = response.headers().values("x-sluice-job-id").getFirst();
        try (StreamResponse<ChatCompletionChunk> stream = response.parse()) {
            for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
                for (ChatCompletionChunk.Choice choice : chunk.choices()) {
                    String piece = choice.delta().content().orElse("");
                    if (!piece.isEmpty()) {
                        contentChunks++;
                        text.append(piece);
                    }
                    if (choice.finishReason().isPresent()) {
                        finishReasons++;
                    }
                }
            }
        }
        return new Streamed(jobId, text.toString(), contentChunks, finishReasons);
    }
}
