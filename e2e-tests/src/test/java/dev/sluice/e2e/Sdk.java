package dev.sluice.e2e;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import java.time.Duration;

/** The official openai-java client pointed at a stack's api, as a user would point it at Sluice. */
final class Sdk {

    private Sdk() {}

    /** A client with a tenant's key and no SDK retries, so that every answer a test sees is Sluice's own. */
    static OpenAIClient client(SluiceStack stack, String apiKey) {
        return OpenAIOkHttpClient.builder()
                .apiKey(apiKey)
                .baseUrl(stack.apiUrl() + "/v1")
                .maxRetries(0)
                .timeout(Duration.ofSeconds(90))
                .build();
    }

    /** Closes the client, then stops the stack; either may be null when start-up failed. */
    static void stop(OpenAIClient client, SluiceStack stack) {
        if (client != null) {
            client.close();
        }
        if (stack != null) {
            stack.close();
        }
    }
}
