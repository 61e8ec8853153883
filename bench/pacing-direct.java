// The reference halves of bench/pacing-table.sh. Two modes, both straight at the provider (one key, no retries):
//
//   burst (default) - what the seed users did: n chat requests per model, all at once;
//   paced <N> <W ms> <margin ms> - a perfect in-memory pacer: per model the first N at once, then request i exactly
//            W + margin after request i - N was handed to the HTTP client (its own clock, no database, no queue,
//            no claim). With margin 100 ms it is the reference the issue sets for Sluice's pacing.
//
// Prints one line:
//
//   <succeeded> <429s> <other> <wall seconds> <overhead per window, seconds>
//
// wall = from the first request sent to the last answer received (429s come back at once, so a burst that is
// mostly rejected finishes early). overhead per window = the mean over models and i of
// (send of request i+N - send of request i) - W, i.e. what each window step cost beyond W (the margin, for the
// paced mode; 0 in burst mode). Before the clock starts it warms the JVM and opens connections with
// GET /v1/models, which the simulator does not rate-limit.
//
// Plain JDK, run with the source launcher (Java 21+; the file name need not match the class):
//   java bench/pacing-direct.java <base-url> <key> <n per model> <model>[,<model>...] [paced <N> <W ms> <margin ms>]
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
import java.util.concurrent.locks.LockSupport;

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

        boolean paced = args.length > 4 && args[4].equals("paced");
        int limit = paced ? Integer.parseInt(args[5]) : Integer.MAX_VALUE;
        long spanNanos = paced ? (Long.parseLong(args[6]) + Long.parseLong(args[7])) * 1_000_000 : 0;
        long windowNanos = paced ? Long.parseLong(args[6]) * 1_000_000 : 0;

        CountDownLatch go = new CountDownLatch(1);
        long start;
        List<Integer> statuses = new ArrayList<>();
        long[][] sentAt = new long[models.length][perModel];
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> futures = new ArrayList<>();
            List<Future<?>> pacers = new ArrayList<>();
            for (int m = 0; m < models.length; m++) {
                int model = m;
                // One pacer per model: request i goes W + margin after request i - N went, exactly.
                pacers.add(threads.submit(() -> {
                    go.await();
                    for (int i = 0; i < perModel; i++) {
                        if (i >= limit) {
                            long due = sentAt[model][i - limit] + spanNanos;
                            for (long left = due - System.nanoTime(); left > 0; left = due - System.nanoTime()) {
                                LockSupport.parkNanos(left);
                            }
                        }
                        HttpRequest request = requests.get(i * models.length + model);
                        sentAt[model][i] = System.nanoTime();
                        synchronized (futures) {
                            futures.add(threads.submit(() -> {
                                try {
                                    return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                                } catch (java.io.IOException e) {
                                    return -1;
                                }
                            }));
                        }
                    }
                    return null;
                }));
            }
            start = System.nanoTime();
            go.countDown();
            for (Future<?> p : pacers) {
                p.get();
            }
            List<Future<Integer>> all;
            synchronized (futures) {
                all = List.copyOf(futures);
            }
            for (Future<Integer> f : all) {
                statuses.add(f.get());
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        long ok = statuses.stream().filter(s -> s == 200).count();
        long limited = statuses.stream().filter(s -> s == 429).count();
        double overhead = 0;
        int gaps = 0;
        for (long[] sends : sentAt) {
            for (int i = 0; paced && i + limit < sends.length; i++) {
                overhead += (sends[i + limit] - sends[i] - windowNanos) / 1e9;
                gaps++;
            }
        }
        System.out.printf(Locale.ROOT, "%d %d %d %.3f %.3f%n", ok, limited, statuses.size() - ok - limited, wall,
                gaps == 0 ? 0.0 : overhead / gaps);
    }
}
