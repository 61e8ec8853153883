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
import java.util.stream.IntStream;
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
        assertThat(job.get("priority").asInt())
                .as("a facade call goes before its own tenant's batch work")
                .isEqualTo(10);
    }

    @Test
    void aThirdTenantsCallAnswersWithinOneWindowWhileOthersHaveDeepPriorityNineBacklogs() {
        // Two other tenants keep 90 priority-9 jobs waiting on the model: first-come-first-served would put the call
        // six windows (36 s) behind them; by fair share its lane goes at the next opening.
        String model = "openai/gpt-4.1-mini";
        Http admin = SDK.stack().admin();
        Map<String, Http> backlogs = new java.util.HashMap<>();
        for (int tenant = 0; tenant < 2; tenant++) {
            Http client = SDK.stack().client(SDK.stack().newTenantKey("backlog-" + tenant));
            Http.Response created = client.post(
                    "/v1/batches",
                    Map.of(
                            "endpoint",
                            "/v1/chat/completions",
                            "priority",
                            9,
                            "requests",
                            IntStream.range(0, 45)
                                    .mapToObj(i -> Map.of(
                                            "custom_id",
                                            "r" + i,
                                            "body",
                                            Map.of(
                                                    "model",
                                                    model,
                                                    "messages",
                                                    List.of(Map.of("role", "user", "content", "x")))))
                                    .toList()));
            assertThat(created.status()).as(created.body()).isEqualTo(200);
            backlogs.put(created.json().get("id").asString(), client);
        }
        try {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> admin.get("/admin/queues")
                            .json()
                            .get("data")
                            .valueStream()
                            .anyMatch(q -> q.get("model").asString().equals(model)
                                    && q.get("tenants").size() == 2
                                    && q.get("waiting").asLong() > 60));

            long started = System.nanoTime();
            ChatCompletion answer = SDK.client()
                    .chat()
                    .completions()
                    .create(ChatCompletionCreateParams.builder()
                            .model(model)
                            .addUserMessage("my turn")
                            .build());
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(answer.choices()).hasSize(1);
            assertThat(took).as("one window is 6 s").isLessThan(Duration.ofSeconds(7));
        } finally {
            backlogs.forEach((id, owner) -> owner.post("/v1/batches/" + id + "/cancel", Map.of()));
        }
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
