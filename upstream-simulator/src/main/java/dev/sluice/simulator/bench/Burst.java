package dev.sluice.simulator.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The seed report's experiment: fire 1, 3, 5, 8, 15 parallel chat requests for one model with one key and
 * print success rate and mean time per round.
 *
 * <p>{@code java -cp upstream-simulator.jar dev.sluice.simulator.bench.Burst <base-url> <fresh|shared> [1,3,5,8,15]}
 * <br>{@code fresh}: {@code POST /__reset} before each round, so each starts with the whole budget.
 * <br>{@code shared}: rounds back to back in one window, as a client that ran them one after another saw.
 */
public final class Burst {

    private Burst() {}

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        boolean fresh = args.length < 2 || args[1].equals("fresh");
        String rounds = args.length < 3 ? "1,3,5,8,15" : args[2];
        BenchClient client = new BenchClient(base);
        client.warmUp(50);
        client.reset();

        System.out.printf(
                "%nMode: %s (%s)%n%n",
                fresh ? "fresh" : "shared",
                fresh ? "budget reset before each round" : "all rounds in one window, no reset");
        System.out.println(
                "| parallel | succeeded | success rate | 429s | mean time, succeeded | mean time, all | round took |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|");
        for (String round : rounds.split(",")) {
            int parallel = Integer.parseInt(round.trim());
            if (fresh) {
                client.reset();
            }
            long start = System.nanoTime();
            List<BenchClient.Timed> results = fire(client, parallel);
            long took = System.nanoTime() - start;
            long ok = results.stream().filter(r -> r.status() == 200).count();
            long limited = results.stream().filter(r -> r.status() == 429).count();
            System.out.printf(
                    Locale.ROOT,
                    "| %d | %d | %.1f%% | %d | %s | %s | %.2f s |%n",
                    parallel,
                    ok,
                    100.0 * ok / parallel,
                    limited,
                    mean(results.stream().filter(r -> r.status() == 200).toList()),
                    mean(results),
                    took / 1e9);
        }
    }

    private static List<BenchClient.Timed> fire(BenchClient client, int parallel) throws Exception {
        HttpRequest request = client.chat("sk-bench", "openai/gpt-4o-mini");
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<BenchClient.Timed>> futures = new ArrayList<>();
            for (int i = 0; i < parallel; i++) {
                futures.add(threads.submit(() -> client.send(request)));
            }
            List<BenchClient.Timed> results = new ArrayList<>();
            for (Future<BenchClient.Timed> f : futures) {
                results.add(f.get());
            }
            return results;
        }
    }

    private static String mean(List<BenchClient.Timed> results) {
        if (results.isEmpty()) {
            return "-";
        }
        double seconds =
                results.stream().mapToLong(BenchClient.Timed::nanos).average().orElse(0) / 1e9;
        return String.format(Locale.ROOT, "%.2f s", seconds);
    }
}
