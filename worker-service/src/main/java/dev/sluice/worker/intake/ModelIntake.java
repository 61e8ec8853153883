package dev.sluice.worker.intake;

import dev.sluice.common.Queues;
import dev.sluice.db.model.ModelRepository;
import dev.sluice.worker.WorkerProperties;
import dev.sluice.worker.execution.JobExecutor;
import dev.sluice.worker.pacing.GlobalPacer;
import dev.sluice.worker.pacing.ModelLimits;
import dev.sluice.worker.pacing.Sleeper;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * Finds the models jobs were submitted for (the {@code models} table, which the api-service fills before
 * publishing a model's first job), refreshes their pacing settings, and runs one {@link ModelDispatcher}
 * per model that has work. Called every second, so a new model, a limit change or a pause reaches this worker
 * within about a second.
 *
 * <p>A dispatcher holds a thread and a broker channel. One that has started no job for
 * {@code sluice.intake.idle-release}, has none in flight, and whose model has no due queued job in PostgreSQL is
 * stopped; the model's dispatcher starts again at the first run that finds a due queued job of it (PostgreSQL
 * holds every job before its message is published, so no message waits unseen). At start, only models with due
 * work get one. So the channels a worker holds follow the models with work, not every model ever used.
 */
@Component
public class ModelIntake {

    private static final Logger log = LoggerFactory.getLogger(ModelIntake.class);

    private final ModelLimits limits;
    private final AmqpAdmin admin;
    private final ConnectionFactory connectionFactory;
    private final JobExecutor executor;
    private final GlobalPacer pacer;
    private final Sleeper sleeper;
    private final int maxInFlight;
    private final ModelRepository models;
    private final InstantSource clock;
    private final Duration idleRelease;
    private final IdleDispatchers idleDispatchers;
    private final JobSlots slots;
    private final Map<String, ModelDispatcher> dispatchers = new LinkedHashMap<>();
    /** The models of the last run; null before the first, when every model waits for due work. */
    private Set<String> seen;

    private boolean stopped;

    ModelIntake(
            ModelLimits limits,
            AmqpAdmin admin,
            ConnectionFactory connectionFactory,
            JobExecutor executor,
            GlobalPacer pacer,
            Sleeper sleeper,
            WorkerProperties properties,
            ModelRepository models,
            InstantSource clock,
            JobSlots slots) {
        this.models = models;
        this.clock = clock;
        this.idleRelease = properties.intake().idleRelease();
        this.idleDispatchers = new IdleDispatchers(idleRelease);
        this.limits = limits;
        this.admin = admin;
        this.connectionFactory = connectionFactory;
        this.executor = executor;
        this.pacer = pacer;
        this.sleeper = sleeper;
        this.maxInFlight = properties.pacing().maxConcurrency();
        this.slots = slots;
    }

    /** Allows dispatching again after {@link #stop} (a context that is stopped and started again). */
    public synchronized void start() {
        stopped = false;
        seen = null;
    }

    /**
     * Refreshes the models' settings, releases the dispatchers that have been idle for
     * {@code sluice.intake.idle-release}, and starts a dispatcher for each model that has none and either is new
     * (its row appeared since the last run: the api-service adds it just before publishing its first job) or has a
     * queued job due. Returns how many dispatchers were started.
     */
    public synchronized int runOnce() {
        Set<String> models = limits.refresh().keySet();
        if (stopped) {
            return 0;
        }
        releaseIdle();
        Set<String> waiting = new HashSet<>();
        Set<String> fresh = new HashSet<>();
        for (String model : models) {
            if (!dispatchers.containsKey(model)) {
                waiting.add(model);
                if (seen != null && !seen.contains(model)) {
                    fresh.add(model);
                }
            }
        }
        seen = new HashSet<>(models);
        Set<String> toStart = new TreeSet<>(fresh);
        waiting.removeAll(fresh);
        // At start, and for released models: only those with work, so no channel is held for a model without any.
        toStart.addAll(this.models.withDueWork(waiting));
        int added = 0;
        for (String model : toStart) {
            if (startDispatcher(model)) {
                added++;
            }
        }
        return added;
    }

    private void releaseIdle() {
        Instant now = clock.instant();
        List<String> idle = new ArrayList<>();
        dispatchers.forEach((model, dispatcher) -> {
            if (idleDispatchers.idleLongEnough(model, dispatcher.started(), dispatcher.inFlight(), now)) {
                idle.add(model);
            }
        });
        if (idle.isEmpty()) {
            return;
        }
        // Work that is due keeps its dispatcher (a paused model's too): it would only be started again.
        Set<String> busy = this.models.withDueWork(idle);
        for (String model : idle) {
            if (busy.contains(model)) {
                continue;
            }
            ModelDispatcher dispatcher = dispatchers.remove(model);
            if (dispatcher.inFlight() > 0) {
                // A message was taken since the check: leave it running, look again next time.
                dispatchers.put(model, dispatcher);
                continue;
            }
            dispatcher.stop();
            idleDispatchers.forget(model);
            log.info(
                    "Released the dispatcher of model {}: no work for {}; it starts again when work arrives",
                    model,
                    idleRelease);
        }
    }

    private boolean startDispatcher(String model) {
        try {
            // Declared exactly as the api-service declares it; declaring an existing queue with equal
            // arguments is a no-op, so either side may come first.
            admin.declareQueue(
                    new Queue(Queues.forModel(model), true, false, false, new HashMap<>(Queues.arguments())));
        } catch (AmqpException e) {
            log.warn(
                    "Cannot declare the queue of model {} yet (retrying at the next discovery): {}",
                    model,
                    e.getMessage());
            // Not seen yet, so that the next run tries it again even without due work.
            seen.remove(model);
            return false;
        }
        ModelDispatcher dispatcher = new ModelDispatcher(
                model, connectionFactory, pacer, limits, executor, sleeper, slots.forModel(maxInFlight));
        dispatcher.start();
        dispatchers.put(model, dispatcher);
        log.info(
                "Dispatching model {} (limits {}, up to {} in flight on this worker, {} for all models together)",
                model,
                limits.limits(model),
                maxInFlight,
                slots.capacity());
        return true;
    }

    /** The models this worker dispatches. */
    public synchronized Set<String> consumedModels() {
        return Set.copyOf(dispatchers.keySet());
    }

    /** Stops every dispatcher; messages not yet acked go back to their queues. */
    public synchronized void stop() {
        stopped = true;
        dispatchers.values().forEach(ModelDispatcher::stop);
        dispatchers.keySet().forEach(idleDispatchers::forget);
        dispatchers.clear();
    }
}
