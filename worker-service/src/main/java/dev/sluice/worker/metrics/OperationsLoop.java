package dev.sluice.worker.metrics;

import dev.sluice.worker.WorkerProperties;
import dev.sluice.worker.alert.BacklogAlerts;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs the operations side of the worker on one thread of its own, apart from the work loops: every
 * {@code sluice.operations.refresh-interval} the queue and webhook gauges and the heartbeat, and every
 * {@code sluice.alerts.interval} the alert webhook's evaluation when one is configured. A failed run (the
 * schema not migrated yet, the database away) is logged and tried again at the next interval.
 */
@Component
class OperationsLoop implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OperationsLoop.class);

    private final QueueGauges gauges;
    private final WorkerHeartbeat heartbeat;
    private final WebhookMetrics webhooks;
    private final BacklogAlerts alerts;
    private final WorkerProperties properties;
    private volatile ScheduledExecutorService scheduler;

    OperationsLoop(
            QueueGauges gauges,
            WorkerHeartbeat heartbeat,
            WebhookMetrics webhooks,
            BacklogAlerts alerts,
            WorkerProperties properties) {
        this.gauges = gauges;
        this.heartbeat = heartbeat;
        this.webhooks = webhooks;
        this.alerts = alerts;
        this.properties = properties;
    }

    @Override
    public void start() {
        ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("sluice-operations").factory());
        scheduler = loop;
        Duration refresh = properties.operations().refreshInterval();
        every(loop, refresh, "heartbeat", heartbeat::beat);
        every(loop, refresh, "queue gauges", gauges::refresh);
        every(loop, refresh, "webhook gauges", webhooks::refresh);
        if (properties.alerts().enabled()) {
            log.info("Alert webhook on: {}", properties.alerts());
            every(loop, properties.alerts().interval(), "alert evaluation", alerts::runOnce);
        }
    }

    @Override
    public void stop() {
        ScheduledExecutorService loop = scheduler;
        scheduler = null;
        if (loop != null) {
            loop.shutdownNow();
            try {
                heartbeat.stop();
            } catch (RuntimeException e) {
                log.debug("Could not remove this worker's heartbeat; it lapses by itself: {}", e.toString());
            }
        }
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }

    private static void every(ScheduledExecutorService loop, Duration interval, String name, Runnable task) {
        loop.scheduleWithFixedDelay(
                () -> {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        log.warn("{} failed; retrying in {}: {}", name, interval, e.toString());
                    }
                },
                0,
                interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }
}
