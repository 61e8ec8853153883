package dev.sluice.worker.metrics;

import dev.sluice.common.Ids;
import dev.sluice.db.operations.WorkerHeartbeatRepository;
import dev.sluice.worker.intake.ModelIntake;
import java.time.Duration;
import java.time.InstantSource;
import org.springframework.stereotype.Component;

/**
 * Tells the other services which models this worker dispatches, since the broker cannot (the dispatcher
 * pulls with {@code basic.get}, so RabbitMQ shows no consumers): {@code GET /admin/queues} and
 * {@code sluice_queue_consumers} count the workers with a recent heartbeat.
 */
@Component
class WorkerHeartbeat {

    /** Rows of workers silent this long are deleted by whichever worker beats next. */
    private static final Duration FORGET_AFTER = Duration.ofDays(1);

    private final String workerId = "worker-" + ProcessHandle.current().pid() + "-" + Ids.random(4);
    private final WorkerHeartbeatRepository heartbeats;
    private final ModelIntake intake;
    private final InstantSource clock;

    WorkerHeartbeat(WorkerHeartbeatRepository heartbeats, ModelIntake intake, InstantSource clock) {
        this.heartbeats = heartbeats;
        this.intake = intake;
        this.clock = clock;
    }

    /** Records the models dispatched now, and forgets long-silent workers. */
    void beat() {
        heartbeats.beat(workerId, intake.consumedModels(), clock.instant());
        heartbeats.forgetSilent(clock.instant().minus(FORGET_AFTER));
    }

    /** Removes this worker's row: it no longer dispatches anything. */
    void stop() {
        heartbeats.forget(workerId);
    }
}
