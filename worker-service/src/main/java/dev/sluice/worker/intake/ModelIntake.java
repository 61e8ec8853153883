package dev.sluice.worker.intake;

import dev.sluice.common.Queues;
import dev.sluice.worker.WorkerProperties;
import dev.sluice.worker.execution.JobExecutor;
import dev.sluice.worker.pacing.GlobalPacer;
import dev.sluice.worker.pacing.ModelLimits;
import dev.sluice.worker.pacing.Sleeper;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
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
 * per model. Called every second, so a new model, a limit change or a pause reaches this worker within
 * about a second.
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
    private final JobSlots slots;
    private final Map<String, ModelDispatcher> dispatchers = new LinkedHashMap<>();
    private boolean stopped;

    ModelIntake(
            ModelLimits limits,
            AmqpAdmin admin,
            ConnectionFactory connectionFactory,
            JobExecutor executor,
            GlobalPacer pacer,
            Sleeper sleeper,
            WorkerProperties properties,
            JobSlots slots) {
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
    }

    /** Refreshes the models' settings and starts a dispatcher for each new model; returns how many were added. */
    public synchronized int runOnce() {
        int added = 0;
        for (String model : limits.refresh().keySet()) {
            if (stopped || dispatchers.containsKey(model)) {
                continue;
            }
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
                continue;
            }
            ModelDispatcher dispatcher = new ModelDispatcher(
                    model, connectionFactory, pacer, limits, executor, sleeper, slots.forModel(maxInFlight));
            dispatcher.start();
            dispatchers.put(model, dispatcher);
            log.info(
                    "Dispatching model {} (limit {}, up to {} in flight on this worker, {} for all models together)",
                    model,
                    limits.effective(model),
                    maxInFlight,
                    slots.capacity());
            added++;
        }
        return added;
    }

    /** The models this worker dispatches. */
    public synchronized Set<String> consumedModels() {
        return Set.copyOf(dispatchers.keySet());
    }

    /** Stops every dispatcher; messages not yet acked go back to their queues. */
    public synchronized void stop() {
        stopped = true;
        dispatchers.values().forEach(ModelDispatcher::stop);
        dispatchers.clear();
    }
}
