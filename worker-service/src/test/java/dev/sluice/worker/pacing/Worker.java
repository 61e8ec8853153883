package dev.sluice.worker.pacing;

import dev.sluice.common.LimitSet;
import dev.sluice.testsupport.TestInfrastructure;
import dev.sluice.worker.WorkerApplication;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One worker replica in a test that runs several in one JVM: either the shared test context, or a further
 * {@link WorkerApplication} started here against the same database, vhost and provider, as another replica
 * would be deployed. Only a worker started here is closed by {@link #close()}.
 */
public final class Worker implements AutoCloseable {

    private final String name;
    private final ApplicationContext context;
    private final boolean startedHere;

    private Worker(String name, ApplicationContext context, boolean startedHere) {
        this.name = name;
        this.context = context;
        this.startedHere = startedHere;
    }

    /** The worker whose context already runs (the shared test context); never closed here. */
    static Worker of(String name, ApplicationContext context) {
        return new Worker(name, context, false);
    }

    /**
     * Starts a further worker on this run's database and broker ({@link TestInfrastructure}), calling
     * {@code upstream}, with the sweeps of the shared test context and a safety margin of 250 ms (the machine
     * is small and busy, and the provider runs in this JVM); {@code overrides} are {@code key=value} pairs.
     */
    public static Worker start(String name, URI upstream, String... overrides) {
        TestInfrastructure.Database database = TestInfrastructure.database();
        TestInfrastructure.Broker broker = TestInfrastructure.broker();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.application.name", "sluice-worker-" + name);
        properties.put("spring.main.banner-mode", "off");
        properties.put("spring.datasource.url", database.jdbcUrl());
        properties.put("spring.datasource.username", database.username());
        properties.put("spring.datasource.password", database.password());
        properties.put("spring.rabbitmq.host", broker.host());
        properties.put("spring.rabbitmq.port", Integer.toString(broker.port()));
        properties.put("spring.rabbitmq.username", broker.username());
        properties.put("spring.rabbitmq.password", broker.password());
        properties.put("spring.rabbitmq.virtual-host", broker.virtualHost());
        properties.put("sluice.upstream.base-url", upstream.toString());
        properties.put("sluice.default-limit", "5/2s");
        properties.put("sluice.pacing.safety-margin", "250ms");
        properties.put("sluice.upstream.read-timeout", "10s");
        properties.put("sluice.retry.initial-backoff", "100ms");
        properties.put("sluice.retry.max-backoff", "200ms");
        properties.put("sluice.intake.discovery-interval", "200ms");
        properties.put("sluice.finalization.interval", "1h");
        properties.put("sluice.rescue.interval", "1h");
        for (String override : overrides) {
            int eq = override.indexOf('=');
            properties.put(override.substring(0, eq), override.substring(eq + 1));
        }
        // Command-line arguments, not builder properties: those are defaults, which application.yml would override.
        String[] args = properties.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(WorkerApplication.class)
                .web(WebApplicationType.NONE)
                .run(args);
        return new Worker(name, context, true);
    }

    /** One of this worker's beans. */
    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    /** The limits this worker's pacer applies to {@code model} now. */
    LimitSet limits(String model) {
        return context.getBean(GlobalPacer.class).limits(model);
    }

    /** Whether this worker holds {@code model} paused. */
    boolean holdsPaused(String model) {
        return context.getBean(ModelLimits.class).paused(model);
    }

    /** Upstream calls this worker made for {@code model}, whatever their outcome ({@code sluice.attempts}). */
    long attempts(String model) {
        return Math.round(
                context.getBean(MeterRegistry.class).find("sluice.attempts").tag("model", model).counters().stream()
                        .mapToDouble(Counter::count)
                        .sum());
    }

    @Override
    public void close() {
        if (startedHere && context instanceof ConfigurableApplicationContext running) {
            running.close();
        }
    }

    @Override
    public String toString() {
        return "worker " + name;
    }
}
