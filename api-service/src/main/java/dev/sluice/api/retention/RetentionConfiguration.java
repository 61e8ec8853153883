package dev.sluice.api.retention;

import dev.sluice.api.ApiProperties;
import java.time.Duration;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/** Runs the {@link RetentionSweeper} every {@code sluice.retention-sweep.interval}, first after one interval. */
@Configuration(proxyBeanMethods = false)
class RetentionConfiguration implements SchedulingConfigurer {

    private final RetentionSweeper sweeper;
    private final Duration interval;

    RetentionConfiguration(RetentionSweeper sweeper, ApiProperties properties) {
        this.sweeper = sweeper;
        this.interval = properties.retentionSweep().interval();
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(new FixedDelayTask(sweeper::sweep, interval, interval));
    }
}
