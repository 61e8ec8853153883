package dev.sluice.simulator;

import java.util.stream.Collectors;

/**
 * {@code java -jar upstream-simulator.jar}: starts a {@link Simulator} configured from the environment
 * (see {@link SimulatorConfig}) and logs one line with the settings. Runs until the JVM is stopped. Before it
 * listens it runs {@code SIMULATOR_WARMUP_REQUESTS} requests through a throwaway instance ({@link Warmup}).
 */
public final class SimulatorMain {

    private SimulatorMain() {}

    public static void main(String[] args) {
        SimulatorConfig config;
        try {
            config = SimulatorConfig.fromEnvironment(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("upstream-simulator: bad setting " + e.getMessage());
            System.exit(2);
            return;
        }
        int warmup;
        try {
            warmup = warmupRequests(System.getenv("SIMULATOR_WARMUP_REQUESTS"));
        } catch (IllegalArgumentException e) {
            System.err.println("upstream-simulator: bad setting " + e.getMessage());
            System.exit(2);
            return;
        }
        // Before the real one listens: its health check answers only once the code has run (Warmup).
        Warmup.Result warmed;
        try {
            warmed = Warmup.run(config, warmup);
        } catch (RuntimeException e) {
            // No port for the throwaway instance, say: start cold rather than not at all.
            System.err.println("upstream-simulator: warm-up failed, starting without it: " + e);
            warmed = new Warmup.Result(0, 0, 0);
        }
        Simulator simulator = Simulator.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(simulator::close, "simulator-shutdown"));
        // The HTTP server's dispatcher is a non-daemon thread: it keeps the JVM alive after main returns.
        System.out.println(
                "upstream-simulator listening on " + simulator.baseUrl() + " " + describe(simulator.config()));
        if (warmed.answered() + warmed.rateLimited() > 0) {
            System.out.println("upstream-simulator warmed up before listening: " + warmup + " requests to a throwaway "
                    + "instance (" + warmed.answered() + " answered, " + warmed.rateLimited() + " rate-limited) in "
                    + warmed.millis() + " ms; none of them counts here");
        }
    }

    /** {@code SIMULATOR_WARMUP_REQUESTS}: 0 to 100000, {@value Warmup#DEFAULT_REQUESTS} when unset. */
    static int warmupRequests(String value) {
        if (value == null || value.isBlank()) {
            return Warmup.DEFAULT_REQUESTS;
        }
        try {
            int requests = Integer.parseInt(value.strip());
            if (requests >= 0 && requests <= 100_000) {
                return requests;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(
                "SIMULATOR_WARMUP_REQUESTS: expected a whole number from 0 to 100000, got '" + value + "'");
    }

    private static String describe(SimulatorConfig config) {
        return config.settings().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
    }
}
