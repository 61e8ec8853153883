// The measuring half of bench/facade-table.sh: what the synchronous facade costs a caller.
//
//   latency <api> <key> <simulator> <n>  n sequential chat calls straight at the simulator, then n through the
//                                       facade (same client, same model, distinct prompts so the response
//                                       cache never answers); prints p50/p99 of each and the difference; with
//                                       -Dcalls=<file>, writes each facade call's prompt and when it was sent and
//                                       answered (epoch microseconds, CSV), for facade-table.sh to set beside the
//                                       job rows' timestamps; with -Dblock=<b>, also p50/p99 of every b calls
//                                       each way in turn (stderr): how the stack warms up within one run
//   waiting <api> <key> <n>             n chat calls through the facade all at once (one virtual thread and one
//                                       connection each); prints how many succeeded, the wall time, the p50/p99
//                                       of their latency and the most callers seen waiting at once in the api
//                                       (its sluice_facade_waiting gauge, sampled every 100 ms)
//
// Plain JDK, run with the source launcher (Java 21+): java bench/facade-bench.java latency ...
// HTTP/1.1 JDK HttpClient, as bench/pacing-direct.java.

import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

final class FacadeBench {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30)).build();
    /** The model called; {@code -Dmodel=} picks another (the waiting run uses a slowly paced one). */
    private static final String MODEL = System.getProperty("model", "openai/gpt-4o-mini");

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "latency" -> latency(URI.create(args[1]), args[2], URI.create(args[3]), Integer.parseInt(args[4]));
            case "waiting" -> waiting(URI.create(args[1]), args[2], Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("latency or waiting, got " + args[0]);
        }
    }

    private static void latency(URI api, String key, URI simulator, int n) throws Exception {
        // Warm both paths and the JIT; not measured. 20 by default (-Dwarmup=N): the JVMs are then far from warm (after
        // 1,000 calls the same stack adds 7-12 ms less at p50, docs/benchmarks.md), so the default figure is that of
        // a freshly started stack.
        int warmup = Integer.getInteger("warmup", 20);
        // -DwarmupCallers=K: the warm-up's calls made by K callers at once, so a warm-up long enough for C2 to have
        // compiled a call's run-once code (HotSpot compiles a method with C2 after some 5,000-15,000 runs) takes a
        // minute or two rather than a quarter of an hour; the measured calls are one at a time as ever.
        int warmupCallers = Integer.getInteger("warmupCallers", 1);
        long warmStarted = System.nanoTime();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> warming = new ArrayList<>();
            for (int c = 0; c < warmupCallers; c++) {
                int caller = c;
                warming.add(callers.submit(() -> {
                    for (int i = caller; i < warmup; i += warmupCallers) {
                        call(simulator, key, "warm-up " + i);
                        call(api, key, "warm-up " + i);
                    }
                    return null;
                }));
            }
            for (Future<?> done : warming) {
                done.get();
            }
        }
        if (warmup > 0) {
            System.err.printf(
                    Locale.ROOT,
                    "warm-up: %d calls each way by %d caller(s) in %.1f s%n",
                    warmup,
                    warmupCallers,
                    (System.nanoTime() - warmStarted) / 1e9);
        }
        // facade-table.sh starts its CPU reading here.
        System.err.println("measuring " + n + " calls each way");
        List<Double> direct = new ArrayList<>();
        List<Double> facade = new ArrayList<>();
        List<String> times = new ArrayList<>();
        int block = Integer.getInteger("block", 0);
        for (int i = 0; i < n; i++) {
            direct.add(call(simulator, key, "direct " + i));
            long sent = micros();
            facade.add(call(api, key, "facade " + i));
            times.add("facade " + i + "," + sent + "," + micros());
            if (block > 0 && (i + 1) % block == 0) {
                List<Double> d = new ArrayList<>(direct.subList(i + 1 - block, i + 1));
                List<Double> f = new ArrayList<>(facade.subList(i + 1 - block, i + 1));
                Collections.sort(d);
                Collections.sort(f);
                System.err.printf(
                        Locale.ROOT,
                        "calls %d-%d (after %d warm-up): direct %.1f / %.1f ms, facade %.1f / %.1f ms,"
                                + " added %.1f / %.1f ms (p50 / p99)%n",
                        i + 2 - block,
                        i + 1,
                        warmup,
                        p(d, 50),
                        p(d, 99),
                        p(f, 50),
                        p(f, 99),
                        p(f, 50) - p(d, 50),
                        p(f, 99) - p(d, 99));
            }
        }
        String callsFile = System.getProperty("calls");
        if (callsFile != null) {
            try (PrintWriter out = new PrintWriter(callsFile)) {
                times.forEach(out::println);
            }
        }
        Collections.sort(direct);
        Collections.sort(facade);
        System.out.printf(Locale.ROOT, "| path | calls | p50 | p99 |%n|---|---:|---:|---:|%n");
        System.out.printf(Locale.ROOT, "| direct to the simulator | %d | %.1f ms | %.1f ms |%n", n, p(direct, 50), p(direct, 99));
        System.out.printf(Locale.ROOT, "| through the facade | %d | %.1f ms | %.1f ms |%n", n, p(facade, 50), p(facade, 99));
        System.out.printf(Locale.ROOT, "| added by Sluice | | %.1f ms | %.1f ms |%n",
                p(facade, 50) - p(direct, 50), p(facade, 99) - p(direct, 99));
    }

    private static void waiting(URI api, String key, int n) throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger mostWaiting = new AtomicInteger();
        Thread sampler = Thread.ofVirtual().start(() -> {
            while (!done.get()) {
                mostWaiting.accumulateAndGet(gauge(api, "sluice_facade_waiting"), Math::max);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long started = System.nanoTime();
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failed = new AtomicInteger();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String prompt = "waiting " + i;
                calls.add(callers.submit(() -> {
                    try {
                        latencies.add(call(api, key, prompt));
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }));
            }
            for (Future<?> call : calls) {
                call.get();
            }
        }
        double wall = (System.nanoTime() - started) / 1e9;
        done.set(true);
        sampler.join();
        List<Double> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.printf(Locale.ROOT, "| callers | succeeded | failed | most waiting at once in the api | wall | p50 | p99 |%n");
        System.out.printf(Locale.ROOT, "|---:|---:|---:|---:|---:|---:|---:|%n");
        System.out.printf(Locale.ROOT, "| %d | %d | %d | %d | %.1f s | %.1f s | %.1f s |%n", n, sorted.size(),
                failed.get(), mostWaiting.get(), wall, p(sorted, 50) / 1000, p(sorted, 99) / 1000);
    }

    /** One chat call; its time in ms; throws unless it answered 200. */
    private static double call(URI base, String key, String prompt) throws Exception {
        String body = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                .timeout(Duration.ofMinutes(10)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long started = System.nanoTime();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        double millis = (System.nanoTime() - started) / 1e6;
        if (response.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
        }
        return millis;
    }

    private static long micros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }

    private static int gauge(URI api, String name) {
        try {
            // /actuator/prometheus takes the admin key (facade-table.sh exports it).
            HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(api.resolve("/actuator/prometheus"))
                    .header("Authorization", "Bearer " + System.getenv("SLUICE_ADMIN_KEY"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return metrics.body().lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                    .mapToInt(line -> (int) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                    .findFirst().orElse(-1);
        } catch (Exception e) {
            return -1;
        }
    }

    private static double p(List<Double> sorted, int percentile) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
