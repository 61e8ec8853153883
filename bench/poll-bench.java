// The polling half of bench/polling.sh: POLLERS clients each GET one URL back to back (one virtual thread and one
// keep-alive connection each, JDK HttpClient, HTTP/1.1) until DURATION seconds have passed or, with a stop file,
// until that file exists; then prints "<requests/s> <p50 ms> <p99 ms> <errors> <requests>" on one line. With
// PACE_MS set (environment), each poller waits that long after each answer before its next poll (paced rather
// than back to back: a client polling every PACE_MS ms, as a real one would). For the first WARMUP_S (environment,
// 2) seconds the pollers poll without counting: this JVM's own warm-up (its JIT compiling the HTTP client, its first
// GC pauses on the shared cores) is the client's, not the answer's, and a perfect client would have none. The
// DURATION seconds are counted after it.
//
//   java bench/poll-bench.java <url> <key> <pollers> <seconds> [stop file]
//   PACE_MS=100 java bench/poll-bench.java <url> <key> <pollers> <seconds> [stop file]
//
// Plain JDK, run with the source launcher (Java 21+). Lighter on the shared CPU than Python threads, so more of
// the machine goes to what is measured.

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

final class PollBench {

    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        String key = args[1];
        int pollers = Integer.parseInt(args[2]);
        long warmup = (long) (Double.parseDouble(System.getenv().getOrDefault("WARMUP_S", "2")) * 1e9);
        long started = System.nanoTime() + warmup;
        long deadline = started + (long) (Double.parseDouble(args[3]) * 1e9);
        Path stop = args.length > 4 ? Path.of(args[4]) : null;
        long pace = Long.parseLong(System.getenv().getOrDefault("PACE_MS", "0"));
        List<Double> times = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger errors = new AtomicInteger();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int p = 0; p < pollers; p++) {
                threads.submit(() -> {
                    // One client per poller: its own connection, as separate pollers would have.
                    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                    HttpRequest request = HttpRequest.newBuilder(url).header("Authorization", "Bearer " + key)
                            .timeout(Duration.ofSeconds(60)).build();
                    List<Double> mine = new ArrayList<>();
                    int n = 0;
                    while (System.nanoTime() < deadline && (stop == null || (n++ % 16 != 0 || !Files.exists(stop)))) {
                        long t = System.nanoTime();
                        boolean counted = t >= started;
                        try {
                            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                            if (response.statusCode() == 200) {
                                if (counted) {
                                    mine.add((System.nanoTime() - t) / 1e6);
                                }
                            } else if (counted) {
                                errors.incrementAndGet();
                            }
                        } catch (Exception e) {
                            if (counted) {
                                errors.incrementAndGet();
                            }
                        }
                        if (pace > 0) {
                            Thread.sleep(pace);
                        }
                    }
                    times.addAll(mine);
                    return null;
                });
            }
        }
        double seconds = Math.max(1e-9, (System.nanoTime() - started) / 1e9);
        List<Double> sorted = new ArrayList<>(times);
        Collections.sort(sorted);
        System.out.printf(Locale.ROOT, "%.0f %.1f %.1f %d %d%n", sorted.size() / seconds, p(sorted, 50), p(sorted, 99),
                errors.get(), sorted.size());
    }

    private static double p(List<Double> sorted, int percentile) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
