package dev.sluice.worker;

import dev.sluice.db.SharedProperties;
import dev.sluice.worker.finalization.BatchFinalizer;
import dev.sluice.worker.intake.LaneBell;
import dev.sluice.worker.intake.ModelIntake;
import dev.sluice.worker.rescue.LeaseRescuer;
import dev.sluice.worker.webhook.WebhookDeliverer;
import dev.sluice.worker.webhook.WebhookEventSweep;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Starts the worker's loops once the schema exists: model discovery (which starts the consumers), the
 * finalisation sweep, the lease rescuer and the webhook outbox (events, then their delivery), each every few
 * seconds on a thread of its own so that a slow one never delays another. The wait for the schema runs in the background, so that the actuator answers
 * meanwhile. On shutdown the consumers stop first, letting running jobs finish.
 */
@Component
class WorkerLoops implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WorkerLoops.class);

    private final SchemaGate schemaGate;
    private final ModelIntake intake;
    private final LaneBell bell;
    private final BatchFinalizer finalizer;
    private final LeaseRescuer rescuer;
    private final WebhookEventSweep webhookEvents;
    private final WebhookDeliverer webhookDeliverer;
    private final WorkerProperties properties;
    private final SharedProperties shared;

    private volatile ScheduledExecutorService scheduler;
    private volatile Thread starter;

    WorkerLoops(
            SchemaGate schemaGate,
            ModelIntake intake,
            LaneBell bell,
            BatchFinalizer finalizer,
            LeaseRescuer rescuer,
            WebhookEventSweep webhookEvents,
            WebhookDeliverer webhookDeliverer,
            WorkerProperties properties,
            SharedProperties shared) {
        this.schemaGate = schemaGate;
        this.intake = intake;
        this.bell = bell;
        this.finalizer = finalizer;
        this.rescuer = rescuer;
        this.webhookEvents = webhookEvents;
        this.webhookDeliverer = webhookDeliverer;
        this.properties = properties;
        this.shared = shared;
    }

    @Override
    public void start() {
        log.info(
                "Worker starting: upstream {}, default limit {}, pacing {}, lease {}, retry {}, up to {} jobs in flight"
                        + " ({})",
                properties.upstream(),
                shared.defaultLimit(),
                properties.pacing(),
                properties.lease(),
                properties.retry(),
                properties.maxJobsInFlight(),
                properties.database());
        intake.start();
        ScheduledExecutorService loops = Executors.newScheduledThreadPool(
                5, Thread.ofPlatform().daemon().name("sluice-loop-", 0).factory());
        scheduler = loops;
        starter = Thread.ofVirtual().name("sluice-start").start(() -> {
            try {
                schemaGate.await();
            } catch (InterruptedException e) {
                return;
            }
            bell.start();
            // Discovery runs at once; the sweeps wait one interval, as there is nothing to sweep yet.
            Duration discovery = properties.intake().discoveryInterval();
            Duration sweep = properties.finalization().interval();
            Duration rescue = properties.rescue().interval();
            every(loops, Duration.ZERO, discovery, "model discovery", intake::runOnce);
            every(loops, sweep, sweep, "finalisation sweep", finalizer::runOnce);
            every(loops, rescue, rescue, "lease rescue", rescuer::runOnce);
            Duration webhooks = properties.webhook().interval();
            every(loops, webhooks, webhooks, "webhook events", webhookEvents::runOnce);
            every(loops, webhooks, webhooks, "webhook delivery", webhookDeliverer::runOnce);
        });
    }

    @Override
    public void stop() {
        Thread waiting = starter;
        if (waiting != null) {
            waiting.interrupt();
        }
        ScheduledExecutorService loops = scheduler;
        if (loops != null) {
            loops.shutdownNow();
        }
        bell.stop();
        intake.stop();
        scheduler = null;
        starter = null;
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }

    private static void every(
            ScheduledExecutorService loops, Duration first, Duration interval, String name, Runnable task) {
        loops.scheduleWithFixedDelay(
                () -> {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        // A scheduled task that throws is never run again: log and keep the loop alive.
                        log.warn("{} failed; retrying in {}", name, interval, e);
                    }
                },
                first.toMillis(),
                interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }
}
