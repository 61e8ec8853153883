package dev.sluice.simulator;

import java.util.stream.Collectors;

/**
 * {@code java -jar upstream-simulator.jar}: starts a {@link Simulator} configured from the environment
 * (see {@link SimulatorConfig}) and logs one line with the settings. Runs until the JVM is stopped.
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
        Simulator simulator = Simulator.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(simulator::close, "simulator-shutdown"));
        // The HTTP server's dispatcher is a non-daemon thread: it keeps the JVM alive after main returns.
        System.out.println(
                "upstream-simulator listening on " + simulator.baseUrl() + " " + describe(simulator.config()));
    }

    private static String describe(SimulatorConfig config) {
        return config.settings().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
    }
}
