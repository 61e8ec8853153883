package dev.sluice.worker.intake;

import dev.sluice.db.ConnectionPool;
import dev.sluice.worker.WorkerProperties;
import java.util.OptionalInt;
import java.util.concurrent.Semaphore;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * How many jobs this worker runs at once, all models together: one slot per job in flight, from its start to its
 * ack, shared by every model's dispatcher ({@link InFlight}), {@code sluice.intake.max-in-flight} of them or, unset,
 * as many as the database pool has connections for jobs. Each job in flight holds at most one connection at a time,
 * so the worker never takes more work than its pool serves; the pool is checked at start, and a worker whose pool
 * is smaller than its jobs and loops need does not start.
 */
@Component
public class JobSlots {

    private final int capacity;
    private final Semaphore permits;

    @Autowired
    JobSlots(WorkerProperties properties, ConnectionPool pool) {
        this(properties, pool.maximumSize());
    }

    /** Checked against a pool of {@code poolSize} connections (empty: unknown, not checked). */
    JobSlots(WorkerProperties properties, OptionalInt poolSize) {
        this.capacity = properties.maxJobsInFlight();
        int needed = capacity + properties.database().reservedConnections();
        if (poolSize.isPresent() && poolSize.getAsInt() < needed) {
            throw new IllegalStateException("The database pool has " + poolSize.getAsInt() + " connections, but this "
                    + "worker runs up to " + capacity + " jobs at once and keeps "
                    + properties.database().reservedConnections() + " connections for its loops, " + needed
                    + " in all: size the pool with SLUICE_DATABASE_POOL_SIZE (which sets "
                    + "spring.datasource.hikari.maximum-pool-size) rather than the Hikari setting itself, or lower "
                    + "SLUICE_INTAKE_MAX_IN_FLIGHT");
        }
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
