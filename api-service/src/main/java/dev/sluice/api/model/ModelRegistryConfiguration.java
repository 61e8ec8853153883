package dev.sluice.api.model;

import dev.sluice.api.ApiProperties;
import java.time.Duration;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/** Runs {@link ModelRegistry#refresh} at start and then every {@code sluice.facade.models-ttl} (at least 1 s). */
@Configuration(proxyBeanMethods = false)
class ModelRegistryConfiguration implements SchedulingConfigurer {

    private static final Duration SHORTEST = Duration.ofSeconds(1);

    private final ModelRegistry registry;
    private final Duration interval;

    ModelRegistryConfiguration(ModelRegistry registry, ApiProperties properties) {
        this.registry = registry;
        Duration ttl = properties.facade().modelsTtl();
        this.interval = ttl.compareTo(SHORTEST) < 0 ? SHORTEST : ttl;
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(new FixedDelayTask(this::refresh, interval, Duration.ZERO));
    }

    private void refresh() {
        try {
            registry.refresh();
        } catch (RuntimeException e) {
            // The database is down: submissions fail anyway; the next run tries again.
            LoggerFactory.getLogger(ModelRegistry.class).warn("Refreshing the model registry failed: {}", e.toString());
        }
    }
}
