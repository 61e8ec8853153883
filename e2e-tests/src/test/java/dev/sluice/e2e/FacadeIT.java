package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The synchronous facade through the official openai-java SDK, pointed at a real api process with a real
 * worker process and the simulator: calls wait their turn instead of meeting 429s, streaming works whatever
 * the provider's streaming does, embeddings and models answer, and a caller that gives up leaves a job that
 * still finishes.
 */
class FacadeIT {

    private static final String CHAT_MODEL = "openai/gpt-4o-mini";
    private static final String LIMIT = "15/6s";

    private static final Map<String, String> SIMULATOR_ENV = Map.of(
            "SIMULATOR_LIMIT",
            LIMIT,
            "SIMULATOR_LATENCY_MS",
            "50",
            "SIMULATOR_JITTER_MS",
            "20",
            "SIMULATOR_EMBEDDINGS",
            "true",
            "SIMULATOR_COMPLETIONS",
            "true",
            "SIMULATOR_STREAMING",
            "broken");
    private static final Map<String, String> SLUICE_ENV = Map.of("SLUICE_DEFAULT_LIMIT", LIMIT);

    @RegisterExtension
    static final SdkSession SDK = new SdkSession("sdk-user", SIMULATOR_ENV, SLUICE_ENV);

    @Test
    void fortyFiveConcurrentCallsAtFifteenPerSixSecondsAllSucceedWithoutA429() throws Exception {
        long rateLimitedBefore = simulatorTotal("rate_limited");
        long started = System.nanoTime();
        List<Future<ChatCompletion>> calls = new ArrayList<>();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 45; i++) {
                String question = "question " + i;
                calls.add(callers.submit(() -> SDK.client()
                        .chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model(CHAT_MODEL)
                                .addUserMessage(question)
                                .build())));
            }
            for (Future<ChatCompletion> call : calls) {
                ChatCompletion answer = call.get();
                assertThat(answer.choices()).hasSize(1);
                assertThat(answer.choices().get(0).message().content())
                        .isPresent()
                        .get()
                        .asString()
                        .isNotEmpty();
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(simulatorTotal("rate_limited") - rateLimitedBefore)
                .as(SDK.stack().logs())
                .isZero();
        // 45 calls at 15 per 6 s need at least two full windows after the first burst.
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(12));
    }

    @Test
    void streamingSendsTheWholeAnswerAsChunksWhetherTheProvidersStreamingIsBrokenOrWorking() {
        for (String mode : List.of("broken", "working")) {
            assertThat(SDK.stack()
                            .simulator()
                            .put("/__config", Map.of("streaming", mode))
                            .status())
                    .isEqualTo(200);
            ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                    .model(CHAT_MODEL)
                    .addUserMessage("tell me a story about a sluice gate")
                    .build();
            String whole = SDK.client()
                    .chat()
                    .completions()
                    .create(params)
                    .choices()
                    .get(0)
                    .message()
                    .content()
                    .orElseThrow();

            StringBuilder streamed = new StringBuilder();
            List<String> finishReasons = new ArrayList<>();
            int chunks = 0;
            try (StreamResponse<ChatCompletionChunk> stream =
                    SDK.client().chat().completions().createStreaming(params)) {
                for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
                    chunks++;
                    chunk.choices().forEach(choice -> {
                        choice.delta().content().ifPresent(streamed::append);
                        choice.finishReason().ifPresent(reason -> finishReasons.add(reason.asString()));
                    });
                }
            }
            // The simulator answers the same prompt with the same text, so the stream must rebuild it exactly.
            assertThat(streamed.toString()).as("streaming %s", mode).isEqualTo(whole);
            assertThat(chunks).as("streaming %s", mode).isGreaterThan(2);
            assertThat(finishReasons).as("streaming %s", mode).containsExactly("stop");
        }
    }

    @Test
    void completionsAndEmbeddingsAnswerThroughTheFacade() {
        Completion completion = SDK.client()
                .completions()
                .create(CompletionCreateParams.builder()
                        .model(CompletionCreateParams.Model.of("openai/gpt-3.5-turbo-instruct"))
                        .prompt("Say hi")
                        .build());
        assertThat(completion.choices().get(0).text()).isNotEmpty();

        CreateEmbeddingResponse embedding = SDK.client()
                .embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model("openai/text-embedding-3-small")
                        .input("a sluice gate")
                        .build());
        assertThat(embedding.data()).hasSize(1);
        assertThat(embedding.data().get(0).embedding()).isNotEmpty();
    }

    @Test
    void modelsAreTheProvidersList() {
        List<Model> models = SDK.client().models().list().data();
        assertThat(models)
                .extracting(Model::id)
                .contains(CHAT_MODEL, "anthropic/claude-3-5-haiku")
                .hasSize(58);
        assertThat(SDK.client().models().retrieve(CHAT_MODEL).id()).isEqualTo(CHAT_MODEL);

        OpenAIServiceException missing = catchThrowableOfType(
                OpenAIServiceException.class, () -> SDK.client().models().retrieve("nobody/no-such-model"));
        assertThat(missing.statusCode()).isEqualTo(404);
    }

    @Test
    void theProvidersRefusalReachesTheCallerAsIs() {
        OpenAIServiceException refused = catchThrowableOfType(
                OpenAIServiceException.class,
                () -> SDK.client()
                        .chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model("nobody/no-such-model")
                                .addUserMessage("hi")
                                .build()));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body().toString()).contains("nobody/no-such-model");
    }

    @Test
    void aCallerThatGivesUpGetsA504NamingAJobThatStillFinishes() {
        OpenAIServiceException gaveUp = catchThrowableOfType(
                OpenAIServiceException.class,
                () -> SDK.client()
                        .chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model(CHAT_MODEL)
                                .addUserMessage("slow down")
                                .putAdditionalHeader("X-Sluice-Max-Wait", "1")
                                .build()));
        assertThat(gaveUp.statusCode()).isEqualTo(504);
        assertThat(gaveUp.code()).contains("wait_timeout");
        Matcher jobId = Pattern.compile("job_[A-Za-z0-9]+").matcher(gaveUp.getMessage());
        assertThat(jobId.find()).as(gaveUp.getMessage()).isTrue();

        Http tenant = SDK.stack().client(SDK.key());
        JsonNode job = await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> tenant.get("/v1/jobs/" + jobId.group()).json(),
                        j -> "succeeded".equals(j.get("status").asString()));
        assertThat(job.get("response").get("status_code").asInt()).isEqualTo(200);
        assertThat(job.get("priority").asInt()).isEqualTo(9);
    }

    private static long simulatorTotal(String field) {
        return SDK.stack()
                .simulator()
                .get("/__stats")
                .json()
                .get("totals")
                .get(field)
                .asLong();
    }
}
