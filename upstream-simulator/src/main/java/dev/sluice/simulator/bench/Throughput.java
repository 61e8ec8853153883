package dev.sluice.simulator.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many chat requests per second the simulator serves (run it with no latency and no limit):
 * {@code clients} virtual threads, each sending its next request as soon as the last is answered.
 *
 * <p>{@code java -cp upstream-simulator.jar dev.sluice.simulator.bench.Throughput <base-url> [requests] [clients]}
 */
public final class Throughput {

    private Throughput() {}

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        int requests = args.length < 2 ? 100_000 : Integer.parseInt(args[1]);
        int clients = args.length < 3 ? 200 : Integer.parseInt(args[2]);
        BenchClient client = new BenchClient(base);

        run(client, requests / 5, clients); // warm-up: JIT on both sides, connections open
        client.reset();
        long start = System.nanoTime();
        long[] result = run(client, requests, clients);
        double seconds = (System.nanoTime() - start) / 1e9;

        long[] latencies = Arrays.copyOf(result, requests);
        Arrays.sort(latencies);
        System.out.printf(
                Locale.ROOT,
                "requests=%d clients=%d seconds=%.2f throughput=%.0f req/s non_200=%d "
                        + "p50=%.2f ms p99=%.2f ms max=%.2f ms%n",
                requests,
                clients,
                seconds,
                requests / seconds,
                result[requests],
                latencies[requests / 2] / 1e6,
                latencies[requests * 99 / 100] / 1e6,
                latencies[requests - 1] / 1e6);
    }

    /** Latency of each request in nanoseconds, then (last element) how many were not 200. */
    private static long[] run(BenchClient client, int requests, int clients) {
        long[] out = new long[requests + 1];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                // Distinct keys, as many users would be; with no limit set it changes nothing but realism.
                HttpRequest request = client.chat("sk-bench-" + c, "openai/gpt-4o-mini");
                threads.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < requests; ) {
                        BenchClient.Timed t = client.send(request);
                        out[i] = t.nanos();
                        if (t.status() != 200) {
                            failed.incrementAndGet();
                        }
                    }
                });
            }
        }
        out[requests] = failed.get();
        return out;
    }
}
