package dev.sluice.worker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;

/**
 * {@code sluice_pacer_wait_seconds_total{model}}: time dispatchers spent waiting for a pacing slot. The pacer
 * is built without Spring in its unit tests, so it reports through Micrometer's global registry, to which
 * Spring Boot adds the application's registries ({@code management.metrics.use-global-registry}, on by
 * default).
 */
public final class PacerWaits {

    private PacerWaits() {}

    /** Records one wait of the pacer for a slot of {@code model}. */
    public static void slept(String model, Duration wait) {
        Counter.builder("sluice.pacer.wait")
                .baseUnit("seconds")
                .description("Time spent waiting for a pacing slot (the limit or a 429 pause holds work back)")
                .tag("model", model)
                .register(Metrics.globalRegistry)
                .increment(wait.toNanos() / 1e9);
    }
}
