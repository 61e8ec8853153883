package dev.sluice.api.dispatch;

import dev.sluice.api.ApiProperties;
import java.time.Duration;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/** Runs the {@link UnpublishedJobSweeper} every {@code sluice.dispatch.sweep-interval}, first after one interval. */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class DispatchConfiguration implements SchedulingConfigurer {

    private final UnpublishedJobSweeper sweeper;
    private final Duration interval;

    DispatchConfiguration(UnpublishedJobSweeper sweeper, ApiProperties properties) {
        this.sweeper = sweeper;
        this.interval = properties.dispatch().sweepInterval();
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(new FixedDelayTask(sweeper::sweep, interval, interval));
    }
}
