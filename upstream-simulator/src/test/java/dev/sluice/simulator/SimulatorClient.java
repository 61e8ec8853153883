package dev.sluice.simulator;

import dev.sluice.simulator.http.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import tools.jackson.databind.JsonNode;

/** A real HTTP client for the simulator under test. */
final class SimulatorClient {

    static final String KEY = "sk-test";
    static final String MODEL = "openai/gpt-4o-mini";

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final URI base;

    SimulatorClient(Simulator simulator) {
        this.base = simulator.baseUrl();
    }

    static String chatBody(String model, String userText) {
        return """
                {"model": "%s", "messages": [{"role": "system", "content": "be brief"},
                 {"role": "user", "content": "%s"}]}""".formatted(model, userText);
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20));
    }

    HttpRequest chatRequest(String key, String model) {
        return post("/v1/chat/completions", key, chatBody(model, "hello there"));
    }

    HttpRequest post(String path, String key, String body) {
        HttpRequest.Builder b = request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return b.build();
    }

    HttpResponse<String> chat(String key, String model) {
        return send(chatRequest(key, model));
    }

    HttpResponse<String> get(String path, String key) {
        HttpRequest.Builder b = request(path).GET();
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return send(b.build());
    }

    HttpResponse<String> putConfig(String json) {
        return send(request("/__config")
                .PUT(HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest request) {
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    /** {@code n} copies of {@code request}, all in flight at once; their status codes. */
    List<Integer> burst(int n, HttpRequest request) {
        List<CompletableFuture<HttpResponse<String>>> futures =
                IntStream.range(0, n).mapToObj(i -> sendAsync(request)).toList();
        return futures.stream().map(f -> f.join().statusCode()).toList();
    }

    static JsonNode json(HttpResponse<String> response) {
        return Json.MAPPER.readTree(response.body());
    }
}
