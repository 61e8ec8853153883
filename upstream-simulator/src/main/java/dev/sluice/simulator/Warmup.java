package dev.sluice.simulator;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs requests through a throwaway simulator in this JVM before the real one listens, so that the real one counts
 * its first requests when they arrive.
 *
 * <p>A provider's limiter counts a request when it arrives. A JVM just started loads and compiles its HTTP, JSON and
 * limiter code on the first requests; measured on two cores beside a Sluice stack starting at the same time, the first
 * burst (75 requests at once, five models) reached the handler 100–215 ms after its bytes reached the socket, so the
 * simulator counted them that late and refused the next window's requests that arrived on time. A provider is not
 * cold; this makes the simulator's first window behave like its later ones.
 *
 * <p>The throwaway instance listens on a port of its own choosing and has its own limiter and stats: nothing of the
 * warm-up is counted by the real simulator, which starts afterwards.
 */
final class Warmup {

    /** What {@code SIMULATOR_WARMUP_REQUESTS} is unless set. */
    static final int DEFAULT_REQUESTS = 300;

    private static final int CONCURRENCY = 16;

    private static final List<String> MODELS = List.of(
            "openai/gpt-4o-mini",
            "anthropic/claude-3-5-haiku",
            "meta-llama/llama-3.1-8b-instruct",
            "google/gemini-2.0-flash-001",
            "mistralai/mistral-nemo");

    private Warmup() {}

    /** What a warm-up did: requests answered 200 and 429 (the rest failed, as a broken stream does). */
    record Result(int answered, int rateLimited, long millis) {}

    /**
     * Sends {@code requests} requests (admitted ones and 429s, over every endpoint {@code config} serves) to a
     * simulator like {@code config} but on a free port, without latency or faults, then stops it. Failures of single
     * requests are counted, not thrown: the aim is to have run the code.
     */
    static Result run(SimulatorConfig config, int requests) {
        long started = System.nanoTime();
        if (requests <= 0) {
            return new Result(0, 0, 0);
        }
        SimulatorConfig throwaway = config.withPort(0)
                .withSettings(Map.of(
                        "latency_ms", "0",
                        "jitter_ms", "0",
                        "failure_rate", "0",
                        "reset_rate", "0",
                        "hang_rate", "0",
                        "truncate_rate", "0",
                        "limit", "40/1m"));
        try (Simulator sim = Simulator.start(throwaway);
                HttpClient client = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5))
                        .build();
                ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY)) {
            List<Future<Integer>> sent = new ArrayList<>(requests);
            for (int i = 0; i < requests; i++) {
                HttpRequest request = request(sim.baseUrl(), config, i);
                sent.add(pool.submit(() -> send(client, request)));
            }
            int answered = 0;
            int rateLimited = 0;
            for (Future<Integer> one : sent) {
                int status;
                try {
                    status = one.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (ExecutionException e) {
                    continue; // send() returns what a request can throw as -1; nothing else is expected
                }
                answered += status == 200 ? 1 : 0;
                rateLimited += status == 429 ? 1 : 0;
            }
            return new Result(answered, rateLimited, (System.nanoTime() - started) / 1_000_000);
        }
    }

    /**
     * Request {@code i}: mostly chat completions over five models with one key (beyond 40 per model the limit of 40 per
     * minute refuses them, so the 429 path runs too), every tenth a streamed one and, where served, text completions
     * and embeddings.
     */
    private static HttpRequest request(URI base, SimulatorConfig config, int i) {
        String model = MODELS.get(i % MODELS.size());
        String path = "/v1/chat/completions";
        String body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"warm-up " + i
                + "\"}]" + (i % 10 == 9 ? ",\"stream\":true" : "") + "}";
        if (i % 10 == 3 && config.completions()) {
            path = "/v1/completions";
            body = "{\"model\":\"" + model + "\",\"prompt\":\"warm-up " + i + "\"}";
        } else if (i % 10 == 6 && config.embeddings()) {
            path = "/v1/embeddings";
            body = "{\"model\":\"openai/text-embedding-3-small\",\"input\":\"warm-up " + i + "\"}";
        }
        return HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer sk-warmup")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    /** The answer's status, or -1 for a broken stream (the seed provider's streaming) or a refused connection. */
    private static int send(HttpClient client, HttpRequest request) throws InterruptedException {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }
}
