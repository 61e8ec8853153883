package dev.sluice.api.dispatch;

import dev.sluice.api.ApiProperties;
import java.time.Duration;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/**
 * Runs the {@link LostMessageSweeper} and then the {@link UnpublishedJobSweeper} every
 * {@code sluice.dispatch.sweep-interval}, first after one interval.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class DispatchConfiguration implements SchedulingConfigurer {

    private final UnpublishedJobSweeper sweeper;
    private final LostMessageSweeper lostMessages;
    private final Duration interval;

    DispatchConfiguration(UnpublishedJobSweeper sweeper, LostMessageSweeper lostMessages, ApiProperties properties) {
        this.sweeper = sweeper;
        this.lostMessages = lostMessages;
        this.interval = properties.dispatch().sweepInterval();
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(new FixedDelayTask(this::sweep, interval, interval));
    }

    private void sweep() {
        try {
            lostMessages.runOnce();
        } catch (RuntimeException e) {
            // The broker or the database is down: the next sweep tries again; unpublished jobs still go out.
            LoggerFactory.getLogger(LostMessageSweeper.class).warn("Sweep for lost messages failed: {}", e.toString());
        }
        sweeper.sweep();
    }
}
