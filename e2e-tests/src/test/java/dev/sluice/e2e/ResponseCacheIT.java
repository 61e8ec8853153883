package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The response cache, seen from outside: a repeated deterministic call is answered without a provider call,
 * identical calls in flight share one, {@code Cache-Control: no-cache} asks the provider again, another
 * tenant never gets the answer, and a batch line already answered costs nothing.
 */
class ResponseCacheIT {

    private static final String MODEL = "openai/gpt-4o-mini";

    private static final Map<String, String> SIMULATOR_ENV =
            Map.of("SIMULATOR_LIMIT", "100/1s", "SIMULATOR_LATENCY_MS", "300", "SIMULATOR_JITTER_MS", "0");
    private static final Map<String, String> SLUICE_ENV = Map.of("SLUICE_DEFAULT_LIMIT", "100/1s");

    @RegisterExtension
    static final SdkSession SDK = new SdkSession("cached", SIMULATOR_ENV, SLUICE_ENV);

    @Test
    void aRepeatedDeterministicCallMakesNoUpstreamCallUnlessAskedNotTo() {
        ChatCompletionCreateParams params = question("what is a sluice?");
        HttpResponseFor<ChatCompletion> first =
                SDK.client().chat().completions().withRawResponse().create(params);
        long before = providerCalls();

        HttpResponseFor<ChatCompletion> second =
                SDK.client().chat().completions().withRawResponse().create(params);

        assertThat(first.headers().values("x-sluice-cache")).containsExactly("miss");
        assertThat(second.headers().values("x-sluice-cache")).containsExactly("hit");
        assertThat(second.parse().choices().get(0).message().content())
                .isEqualTo(first.parse().choices().get(0).message().content());
        assertThat(providerCalls()).isEqualTo(before);

        HttpResponseFor<ChatCompletion> bypass = SDK.client()
                .chat()
                .completions()
                .withRawResponse()
                .create(params.toBuilder()
                        .putAdditionalHeader("Cache-Control", "no-cache")
                        .build());
        assertThat(bypass.headers().values("x-sluice-cache")).containsExactly("bypass");
        assertThat(providerCalls()).isEqualTo(before + 1);
    }

    @Test
    void identicalCallsInFlightShareOneUpstreamCall() throws Exception {
        ChatCompletionCreateParams params = question("five at once");
        long before = providerCalls();
        List<Future<HttpResponseFor<ChatCompletion>>> calls = new ArrayList<>();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 5; i++) {
                calls.add(callers.submit(() ->
                        SDK.client().chat().completions().withRawResponse().create(params)));
            }
            for (Future<HttpResponseFor<ChatCompletion>> call : calls) {
                assertThat(call.get().statusCode()).isEqualTo(200);
            }
        }
        assertThat(providerCalls()).isEqualTo(before + 1);
    }

    @Test
    void anotherTenantNeverGetsTheAnswerAndABatchLineAlreadyAnsweredCostsNothing() {
        SDK.client().chat().completions().create(question("shared question"));
        OpenAIClient other = Sdk.client(SDK.stack(), SDK.stack().newTenantKey("other"));
        try {
            HttpResponseFor<ChatCompletion> theirs =
                    other.chat().completions().withRawResponse().create(question("shared question"));
            assertThat(theirs.headers().values("x-sluice-cache")).containsExactly("miss");
        } finally {
            other.close();
        }
        long before = providerCalls();

        // The same request as a batch line, keys in another order and 0 spelled 0.0: the same cache key.
        Map<String, Object> body = Map.of(
                "temperature",
                0.0,
                "model",
                MODEL,
                "messages",
                List.of(Map.of("content", "shared question", "role", "user")));
        Http tenant = SDK.stack().client(SDK.key());
        Http.Response created = tenant.post(
                "/v1/batches",
                Map.of(
                        "endpoint",
                        "/v1/chat/completions",
                        "requests",
                        List.of(Map.of("custom_id", "again", "method", "POST", "body", body))));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        String batchId = created.json().get("id").asString();
        await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> tenant.get("/v1/batches/" + batchId)
                                .json()
                                .get("status")
                                .asString(),
                        "completed"::equals);

        JsonNode job = tenant.get("/v1/batches/" + batchId + "/jobs")
                .json()
                .get("data")
                .get(0);
        assertThat(job.get("status").asString()).isEqualTo("succeeded");
        assertThat(job.get("cached").asBoolean()).isTrue();
        assertThat(providerCalls()).isEqualTo(before);
    }

    private static ChatCompletionCreateParams question(String text) {
        return ChatCompletionCreateParams.builder()
                .model(MODEL)
                .temperature(0.0)
                .addUserMessage(text)
                .build();
    }

    private static long providerCalls() {
        return SDK.stack()
                .simulator()
                .get("/__stats")
                .json()
                .get("totals")
                .get("accepted")
                .asLong();
    }
}
