package dev.sluice.worker.intake;

import dev.sluice.worker.WorkerProperties;
import java.util.concurrent.Semaphore;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * How many jobs this worker runs at once, all models together: one slot per job in flight, from its start to its
 * ack, shared by every model's dispatcher ({@link InFlight}), {@code sluice.intake.max-in-flight} of them. A job in
 * flight holds a database connection only while it is at the database, and those turns are capped by the pool
 * ({@code DatabaseTurns}), so this cap is the worker's calls to the provider at once, not its connections.
 */
@Component
public class JobSlots {

    private final int capacity;
    private final Semaphore permits;

    @Autowired
    JobSlots(WorkerProperties properties) {
        this.capacity = properties.maxJobsInFlight();
        this.permits = new Semaphore(capacity, true);
    }

    /** The most jobs this worker runs at once. */
    public int capacity() {
        return capacity;
    }

    /** The jobs running now, all models together. */
    public int inUse() {
        return capacity - permits.availablePermits();
    }

    /** The slots of one model's dispatcher: at most {@code perModel} of its jobs, each in one of this worker's. */
    InFlight forModel(int perModel) {
        return new InFlight(new Semaphore(perModel), permits);
    }
}
