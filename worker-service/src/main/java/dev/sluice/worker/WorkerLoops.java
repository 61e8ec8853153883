package dev.sluice.worker;

import dev.sluice.db.Listener;
import dev.sluice.db.Listeners;
import dev.sluice.db.SharedProperties;
import dev.sluice.db.webhook.WebhookNotifications;
import dev.sluice.worker.finalization.BatchFinalizer;
import dev.sluice.worker.intake.LaneBell;
import dev.sluice.worker.intake.ModelIntake;
import dev.sluice.worker.rescue.LeaseRescuer;
import dev.sluice.worker.webhook.WebhookDeliverer;
import dev.sluice.worker.webhook.WebhookEventSweep;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Starts the worker's loops once the schema exists: model discovery (which starts the dispatchers; every second while
 * it finds work or the listening connection is down, otherwise every {@code sluice.intake.quiet-interval} and whenever
 * the models' settings change), the finalisation sweep and the lease rescuer, each every few seconds, and the
 * webhook outbox (events, then their delivery), which runs when PostgreSQL announces webhook work on the worker's listening connection (V28), when an event comes due,
 * and otherwise only every {@code sluice.webhook.safety-interval} (every {@code sluice.webhook.interval} while the
 * connection is down). Each loop has a thread of its own so that a slow one never delays another. The same
 * connection rings the model dispatchers ({@link LaneBell}). The wait for the schema runs in the background, so
 * that the actuator answers meanwhile. On shutdown the consumers stop first, letting running jobs finish.
 */
@Component
class WorkerLoops implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WorkerLoops.class);

    private final SchemaGate schemaGate;
    private final ModelIntake intake;
    private final BatchFinalizer finalizer;
    private final LeaseRescuer rescuer;
    private final WorkerProperties properties;
    private final SharedProperties shared;

    private final Listener listener;
    private final WakingLoop discovery;
    private final WakingLoop webhookSweep;
    private final WakingLoop webhookDelivery;

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
            SharedProperties shared,
            Listeners listeners,
            InstantSource clock) {
        this.schemaGate = schemaGate;
        this.intake = intake;
        this.finalizer = finalizer;
        this.rescuer = rescuer;
        this.properties = properties;
        this.shared = shared;
        WorkerProperties.Webhook webhook = properties.webhook();
        this.listener =
                listeners.listener("sluice-bell", webhook.listen() ? List.of(bell, new WebhookEar()) : List.of(bell));
        Duration pass = properties.intake().discoveryInterval();
        this.discovery = new WakingLoop(
                "model-discovery", pass, properties.intake().quietInterval(), listener::listening, clock, () -> {
                    intake.runOnce();
                    return intake.quiet()
                            ? Optional.empty()
                            : Optional.of(clock.instant().plus(pass));
                });
        intake.onSettingsChanged(discovery::ring);
        BooleanSupplier hearsWebhooks = () -> webhook.listen() && listener.listening();
        this.webhookSweep = new WakingLoop(
                "webhook-events",
                webhook.interval(),
                webhook.safetyInterval(),
                hearsWebhooks,
                clock,
                webhookEvents::sweep);
        this.webhookDelivery = new WakingLoop(
                "webhook-delivery",
                webhook.interval(),
                webhook.safetyInterval(),
                hearsWebhooks,
                clock,
                webhookDeliverer::deliverDue);
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
                2, Thread.ofPlatform().daemon().name("sluice-loop-", 0).factory());
        scheduler = loops;
        starter = Thread.ofVirtual().name("sluice-start").start(() -> {
            try {
                schemaGate.await();
            } catch (InterruptedException e) {
                return;
            }
            listener.start();
            // Discovery and the webhook outbox run at once (a restarted worker may find work waiting); the
            // finalisation and rescue sweeps wait one interval.
            Duration sweep = properties.finalization().interval();
            Duration rescue = properties.rescue().interval();
            discovery.start(Duration.ZERO);
            every(loops, sweep, sweep, "finalisation sweep", finalizer::runOnce);
            every(loops, rescue, rescue, "lease rescue", rescuer::runOnce);
            webhookSweep.start(Duration.ZERO);
            webhookDelivery.start(Duration.ZERO);
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
        discovery.stop();
        webhookSweep.stop();
        webhookDelivery.stop();
        listener.stop();
        intake.stop();
        scheduler = null;
        starter = null;
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }

    /** Hears the webhook work PostgreSQL announces (V28) and rings the loop that does it. */
    private final class WebhookEar implements Listener.Ear {

        @Override
        public List<String> channels() {
            return List.of(WebhookNotifications.CHANNEL);
        }

        /** Listening (again): what was announced before was not heard. */
        @Override
        public void listening() {
            webhookSweep.ring();
            webhookDelivery.ring();
        }

        @Override
        public void heard(String channel, String payload) {
            if (WebhookNotifications.SUBJECT.equals(payload)) {
                webhookSweep.ring();
            } else {
                webhookDelivery.ring();
            }
        }

        /** Not listening: the loops go back to their short period until it listens again. */
        @Override
        public void deaf() {
            webhookSweep.ring();
            webhookDelivery.ring();
        }
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
