// The "direct" half of bench/pacing-table.sh: what the seed users did. Fires n chat requests per model, all at
// once, straight at the provider (one key, no pacing, no retries), and prints one line:
//
//   <succeeded> <429s> <other> <wall seconds>
//
// wall = from the first request sent to the last answer received (429s come back at once, so a burst that is
// mostly rejected finishes early). Before the clock starts it warms the JVM and opens a connection with
// GET /v1/models, which the simulator does not rate-limit.
//
// Plain JDK, run with the source launcher (Java 21+; the file name need not match the class):
//   java bench/pacing-direct.java <base-url> <key> <n per model> <model>[,<model>...]
// Same client as dev.sluice.simulator.bench.Burst in the simulator's jar (HTTP/1.1 JDK HttpClient, one virtual
// thread per request); Burst itself does one model only and prints its own table, hence this file.

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

final class PacingDirect {

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        String key = args[1];
        int perModel = Integer.parseInt(args[2]);
        String[] models = args[3].split(",");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();

        HttpRequest list = HttpRequest.newBuilder(base.resolve("/v1/models")).header("Authorization", "Bearer " + key)
                .timeout(Duration.ofSeconds(10)).build();
        for (int i = 0; i < 20; i++) {
            http.send(list, HttpResponse.BodyHandlers.discarding());
        }

        List<HttpRequest> requests = new ArrayList<>();
        for (int i = 0; i < perModel; i++) {
            for (String model : models) {
                String body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Question "
                        + i + "\"}]}";
                requests.add(HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                        .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + key)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
            }
        }

        CountDownLatch go = new CountDownLatch(1);
        long start;
        List<Integer> statuses = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> futures = new ArrayList<>();
            for (HttpRequest request : requests) {
                futures.add(threads.submit(() -> {
                    go.await();
                    try {
                        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                    } catch (java.io.IOException e) {
                        return -1;
                    }
                }));
            }
            start = System.nanoTime();
            go.countDown();
            for (Future<Integer> f : futures) {
                statuses.add(f.get());
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        long ok = statuses.stream().filter(s -> s == 200).count();
        long limited = statuses.stream().filter(s -> s == 429).count();
        System.out.printf(Locale.ROOT, "%d %d %d %.3f%n", ok, limited, statuses.size() - ok - limited, wall);
    }
}
