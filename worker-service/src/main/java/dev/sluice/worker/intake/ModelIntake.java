package dev.sluice.worker.intake;

import dev.sluice.common.Queues;
import dev.sluice.db.lane.LaneRepository;
import dev.sluice.worker.WorkerProperties;
import dev.sluice.worker.execution.JobExecutor;
import dev.sluice.worker.pacing.GlobalPacer;
import dev.sluice.worker.pacing.ModelLimits;
import dev.sluice.worker.pacing.Sleeper;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs one {@link ModelDispatcher} per model that has work on this worker. A model has work while one of its lanes
 * waits (the {@code lanes} table, V25). A lane that enters rings every worker through PostgreSQL ({@link LaneBell},
 * {@link #wake}): the model's dispatcher starts, or wakes if it sleeps, within milliseconds. Every second while there
 * is work (or while the listening connection is down; every {@code sluice.intake.quiet-interval} when it finds none)
 * {@link #runOnce} rings the dispatchers of every model with a lane waiting, which covers a notification missed
 * while the listening connection was down, and refreshes the models' pacing settings when they changed (the bell
 * hears that too), while this worker runs jobs, and otherwise every {@link #SETTINGS_FALLBACK} ({@link
 * SettingsRefresh}): a limit change or a pause reaches this worker within about a second, and an idle worker does
 * not re-read every model's settings every second.
 *
 * <p>A dispatcher holds a thread and a broker channel. One that has started no job for
 * {@code sluice.intake.idle-release}, has none in flight, and whose model has no lane waiting is stopped, and the
 * lane queues it emptied are deleted (only while still empty and with no lane waiting: an api-service that
 * publishes meanwhile gets its message back and declares the queue again). So the channels, threads and queues
 * follow the lanes with work, not every model and tenant ever seen.
 */
@Component
public class ModelIntake {
    private static final Logger log = LoggerFactory.getLogger(ModelIntake.class);

    /**
     * How often an idle worker re-reads the models' settings without having heard of a change: only a safety net,
     * since every change is announced (V27) and the bell marks the settings stale whenever it listens again.
     */
    static final Duration SETTINGS_FALLBACK = Duration.ofSeconds(30);

    private final ModelLimits limits;
    private final LaneRepository lanes;
    private final TransactionTemplate transaction;
    private final AmqpAdmin admin;
    private final ConnectionFactory connectionFactory;
    private final JobExecutor executor;
    private final GlobalPacer pacer;
    private final Sleeper sleeper;
    private final int maxInFlight;
    private final InstantSource clock;
    private final Duration idleRelease;
    private final IdleDispatchers idleDispatchers;
    private final JobSlots slots;
    private final Map<String, ModelDispatcher> dispatchers = new ConcurrentHashMap<>();
    /** How the dispatchers' takes share this worker: one at a time once locked, first asked first served. */
    private final TakeTurns takeTurns = new TakeTurns();

    private final SettingsRefresh settings = new SettingsRefresh(SETTINGS_FALLBACK);

    private boolean stopped;
    private long startedSeen;
    private volatile boolean quiet;
    private volatile Runnable passWanted = () -> {};

    ModelIntake(
            ModelLimits limits,
            AmqpAdmin admin,
            ConnectionFactory connectionFactory,
            JobExecutor executor,
            GlobalPacer pacer,
            Sleeper sleeper,
            WorkerProperties properties,
            LaneRepository lanes,
            TransactionTemplate transaction,
            InstantSource clock,
            JobSlots slots) {
        this.lanes = lanes;
        this.transaction = transaction;
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
    }

    /**
     * Refreshes the models' settings if due ({@link SettingsRefresh}), releases the dispatchers that have been idle
     * for {@code sluice.intake.idle-release}, and rings (or starts) the dispatcher of each model with a lane waiting.
     * Returns how many dispatchers were started.
     */
    public int runOnce() {
        refreshSettingsIfDue();
        Set<String> withWork = lanes.modelsWithLanes();
        synchronized (this) {
            if (stopped) {
                return 0;
            }
            int released = releaseIdle(withWork);
            long started = 0;
            int inFlight = 0;
            for (ModelDispatcher dispatcher : dispatchers.values()) {
                started += dispatcher.started();
                inFlight += dispatcher.inFlight();
            }
            // A release may race a lane that enters (its ring reaches the stopping dispatcher): look again soon.
            quiet = withWork.isEmpty() && inFlight == 0 && started == startedSeen && released == 0;
            startedSeen = started;
            int added = 0;
            for (String model : new TreeSet<>(withWork)) {
                ModelDispatcher dispatcher = dispatchers.get(model);
                if (dispatcher != null) {
                    dispatcher.ring();
                } else {
                    startDispatcher(model);
                    added++;
                }
            }
            return added;
        }
    }

    /**
     * Whether the last pass found nothing to do: no lane waiting, no job in flight or started since the pass before,
     * no dispatcher released. Then the next pass is not needed for a second: the bell rings the dispatchers, and
     * {@link #onSettingsChanged} asks for a pass when the settings change.
     */
    public boolean quiet() {
        return quiet;
    }

    /** Calls {@code passWanted} whenever the settings change or may have changed unheard (a pass re-reads them). */
    public void onSettingsChanged(Runnable passWanted) {
        this.passWanted = passWanted;
    }

    /**
     * A lane of {@code model} entered: wakes its dispatcher, or starts one (after reading the model's settings, so
     * that its first grant already holds its limits).
     */
    public void wake(String model) {
        ModelDispatcher dispatcher = dispatchers.get(model);
        if (dispatcher != null) {
            dispatcher.ring();
            return;
        }
        limits.refresh();
        synchronized (this) {
            if (!stopped && !dispatchers.containsKey(model)) {
                startDispatcher(model);
            }
        }
    }

    /** Rings every dispatcher: notifications may have been missed (the listening connection was down). */
    public void wakeAll() {
        dispatchers.values().forEach(ModelDispatcher::ring);
    }

    /** The models' settings changed, or a change may have been missed: the next pass re-reads them. */
    public void settingsChanged() {
        settings.changed();
        passWanted.run();
    }

    private void refreshSettingsIfDue() {
        long started = 0;
        int inFlight = 0;
        for (ModelDispatcher dispatcher : dispatchers.values()) {
            started += dispatcher.started();
            inFlight += dispatcher.inFlight();
        }
        if (settings.due(started, inFlight, clock.instant())) {
            try {
                limits.refresh();
            } catch (RuntimeException e) {
                settings.changed();
                throw e;
            }
        }
    }

    private int releaseIdle(Set<String> withWork) {
        Instant now = clock.instant();
        List<String> idle = new ArrayList<>();
        dispatchers.forEach((model, dispatcher) -> {
            if (!withWork.contains(model)
                    && idleDispatchers.idleLongEnough(model, dispatcher.started(), dispatcher.inFlight(), now)) {
                idle.add(model);
            }
        });
        int released = 0;
        for (String model : idle) {
            ModelDispatcher dispatcher = dispatchers.remove(model);
            if (dispatcher.inFlight() > 0) {
                // A message was taken since the check: leave it running, look again next time.
                dispatchers.put(model, dispatcher);
                continue;
            }
            dispatcher.stop();
            idleDispatchers.forget(model);
            int deleted = deleteEmptyLanes(model, dispatcher.tenantsSeen());
            log.info(
                    "Released the dispatcher of model {} and {} empty lane queue(s): no work for {}; it starts again "
                            + "when a lane enters",
                    model,
                    deleted,
                    idleRelease);
            released++;
        }
        return released;
    }

    /**
     * Deletes the queues of the model's lanes that do not wait, if still empty, under the model's lane lock: no
     * worker takes from them meanwhile. A lane entering after the check either has its message on the queue already
     * (a batch's lane enters once its messages are confirmed), so the delete refuses, or enters ahead of its message
     * (a single job's or a facade call's), whose publisher then gets the message back as unroutable and declares the
     * queue again ({@code JobPublisher} in the api-service).
     */
    private int deleteEmptyLanes(String model, Set<String> tenants) {
        if (tenants.isEmpty()) {
            return 0;
        }
        try {
            Integer deleted = transaction.execute(status -> {
                lanes.lock(model);
                Set<String> waiting = lanes.tenantsWaiting(model);
                int count = 0;
                for (String tenant : tenants) {
                    if (!waiting.contains(tenant) && deleteIfEmpty(Queues.forLane(model, tenant))) {
                        count++;
                    }
                }
                return count;
            });
            return deleted == null ? 0 : deleted;
        } catch (RuntimeException e) {
            log.debug("Could not delete the empty lane queues of model {}: {}", model, e.toString());
            return 0;
        }
    }

    private boolean deleteIfEmpty(String queue) {
        try {
            admin.deleteQueue(queue, true, true);
            return true;
        } catch (AmqpException e) {
            // Not empty after all (a message arrived), or already gone.
            log.debug("Lane queue {} kept: {}", queue, e.getMessage());
            return false;
        }
    }

    private void startDispatcher(String model) {
        ModelDispatcher dispatcher = new ModelDispatcher(
                model,
                connectionFactory,
                lanes,
                transaction,
                pacer,
                limits,
                executor,
                sleeper,
                slots.forModel(maxInFlight),
                takeTurns,
                ModelDispatcher.BULK_FETCH);
        dispatcher.start();
        dispatchers.put(model, dispatcher);
        log.info(
                "Dispatching model {} (limits {}, up to {} in flight on this worker, {} for all models together)",
                model,
                limits.limits(model),
                maxInFlight,
                slots.capacity());
    }

    /** The models this worker dispatches. */
    public Set<String> consumedModels() {
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
