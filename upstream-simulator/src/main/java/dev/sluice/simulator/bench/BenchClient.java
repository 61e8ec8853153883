package dev.sluice.simulator.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The HTTP side of the bench mains: one chat request, timed. */
final class BenchClient {

    /** Outcome of one request: its status (-1 for an I/O error) and how long it took. */
    record Timed(int status, long nanos) {}

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final URI base;

    BenchClient(URI base) {
        this.base = base;
    }

    HttpRequest chat(String key, String model) {
        String body = "{\"model\": \"" + model + "\", \"messages\": [{\"role\": \"user\", \"content\": \"Say hi\"}]}";
        return HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    Timed send(HttpRequest request) {
        long start = System.nanoTime();
        try {
            int status =
                    http.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode();
            return new Timed(status, System.nanoTime() - start);
        } catch (IOException e) {
            return new Timed(-1, System.nanoTime() - start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code POST /__reset}: fresh budgets and stats. */
    void reset() {
        send(HttpRequest.newBuilder(base.resolve("/__reset"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    }

    /** Opens connections and warms the JIT without using any budget ({@code /v1/models} is not limited). */
    void warmUp(int requests) {
        HttpRequest models = HttpRequest.newBuilder(base.resolve("/v1/models"))
                .header("Authorization", "Bearer warm-up")
                .build();
        for (int i = 0; i < requests; i++) {
            send(models);
        }
    }
}
