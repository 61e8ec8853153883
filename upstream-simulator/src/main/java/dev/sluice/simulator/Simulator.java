package dev.sluice.simulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.simulator.faults.FaultInjector;
import dev.sluice.simulator.http.ConnectionDrop;
import dev.sluice.simulator.http.Exchanges;
import dev.sluice.simulator.http.OpenAiError;
import dev.sluice.simulator.limit.RateLimiter;
import dev.sluice.simulator.openai.ProviderHandler;
import dev.sluice.simulator.stats.SimulatorStats;
import dev.sluice.simulator.stats.StatsRecorder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.InstantSource;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;

/**
 * A running upstream provider: OpenAI-compatible, rate-limited per API key per model, with latency and
 * injected faults. Start one in-process on port 0 for a test, or run {@link SimulatorMain}.
 *
 * <pre>{@code
 * try (Simulator sim = Simulator.start(SimulatorConfig.forTests().withLimit("15/2s"))) {
 *     URI base = sim.baseUrl(); // http://127.0.0.1:<port>, without /v1
 *     ...
 *     assertThat(sim.stats().model("openai/gpt-4o-mini").maxInAnyWindow()).isLessThanOrEqualTo(15);
 * }
 * }</pre>
 *
 * <p>Each request runs on its own virtual thread, so latency and hangs cost no platform thread.
 */
public final class Simulator implements AutoCloseable {

    static {
        // Read once, when the first JDK HttpServer starts; an explicit -D setting wins. Without nodelay the
        // separate writes of headers and body meet Nagle plus delayed ACK: ~40 ms per keep-alive request.
        // The idle-connection cap (200 by default) would make a few hundred keep-alive clients reconnect.
        setIfAbsent("sun.net.httpserver.nodelay", "true");
        setIfAbsent("sun.net.httpserver.maxIdleConnections", "2000");
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final RateLimiter limiter;
    private final StatsRecorder stats;
    private final FaultInjector faults = new FaultInjector();
    private final ControlHandler control = new ControlHandler(this);
    private final ProviderHandler provider;
    private volatile SimulatorConfig config;

    private Simulator(SimulatorConfig config, InstantSource clock) throws IOException {
        config.requireValid();
        this.limiter = new RateLimiter(config.limits(), clock);
        this.stats = new StatsRecorder(clock);
        this.provider = new ProviderHandler(() -> this.config, limiter, stats, faults, clock);
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        this.server = HttpServer.create(new InetSocketAddress(config.port()), 1024);
        this.server.setExecutor(executor);
        this.server.createContext("/", this::route);
        this.config = config.withPort(server.getAddress().getPort());
        this.server.start();
    }

    /** Starts a simulator with the system clock. Port 0 picks a free port; see {@link #port()}. */
    public static Simulator start(SimulatorConfig config) {
        return start(config, InstantSource.system());
    }

    /** Starts a simulator whose limiter and stats read {@code clock} (latency still takes real time). */
    public static Simulator start(SimulatorConfig config, InstantSource clock) {
        try {
            return new Simulator(config, clock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the simulator on port " + config.port(), e);
        }
    }

    /** The port it listens on (all interfaces). */
    public int port() {
        return config.port();
    }

    /** {@code http://127.0.0.1:<port>}, without {@code /v1}, as Sluice's upstream base URL expects. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** The settings in force, with the actual port. */
    public SimulatorConfig config() {
        return config;
    }

    /**
     * Changes settings at run time, from the next request on; the port cannot change. A new limit, extra
     * limit, token budget or window kind starts every budget afresh. Returns the new config.
     */
    public synchronized SimulatorConfig update(UnaryOperator<SimulatorConfig> change) {
        SimulatorConfig next = change.apply(config).withPort(config.port()).requireValid();
        limiter.configure(next.limits());
        config = next;
        return next;
    }

    /** What happened since start or the last {@link #reset()}. */
    public SimulatorStats stats() {
        SimulatorConfig c = config;
        return stats.snapshot(c.limits());
    }

    /** Clears stats and every budget, and ends current hangs. Settings stay. */
    public void reset() {
        limiter.clear();
        stats.clear();
        faults.releaseHangs();
    }

    /** Stops listening, ends hangs and interrupts requests still sleeping. */
    @Override
    public void close() {
        faults.releaseHangs();
        server.stop(0);
        executor.shutdownNow();
    }

    private void route(HttpExchange exchange) throws IOException {
        try {
            if (exchange.getRequestURI().getPath().startsWith("/__")) {
                control.handle(exchange);
            } else {
                provider.handle(exchange);
            }
        } catch (ConnectionDrop | IOException e) {
            throw e;
        } catch (RuntimeException e) {
            // A simulator bug: say so with a 500 if the status line is not out yet, then drop the connection.
            System.getLogger(Simulator.class.getName())
                    .log(System.Logger.Level.WARNING, "unexpected failure on " + Exchanges.describe(exchange), e);
            if (exchange.getResponseCode() == -1) {
                Exchanges.error(exchange, 500, OpenAiError.of("simulator bug: " + e, "server_error", null, null));
            }
            throw e;
        }
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }
}
