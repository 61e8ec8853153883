package dev.sluice.worker.execution;

import dev.sluice.db.ConnectionPool;
import dev.sluice.worker.WorkerProperties;
import java.util.OptionalInt;
import java.util.concurrent.Semaphore;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The jobs of this worker at the database at once: a job takes a turn for its claim and what precedes its call (the
 * cache lookup, a grant given back), gives it up while it waits for its slot and for the provider, and takes one again
 * for its outcome. A job uses at most one connection during a turn, and there are as many turns as connections left
 * for jobs ({@code pool-size - reserved-connections}), so jobs queue here, in order, rather than in the pool, where a
 * wait past the pool's timeout fails ("Failed to obtain JDBC Connection") — however many jobs are in flight.
 *
 * <p>The pool the worker was given is checked at start: a Hikari pool set smaller than {@code sluice.database
 * .pool-size} by hand stops the worker, since its turns would then outnumber its connections.
 */
@Component
public class DatabaseTurns {

    private final int turns;
    private final Semaphore permits;

    @Autowired
    DatabaseTurns(WorkerProperties properties, ConnectionPool pool) {
        this(properties, pool.maximumSize());
    }

    /** Checked against a pool of {@code poolSize} connections (empty: unknown, not checked). */
    DatabaseTurns(WorkerProperties properties, OptionalInt poolSize) {
        WorkerProperties.Database database = properties.database();
        if (poolSize.isPresent() && poolSize.getAsInt() < database.poolSize()) {
            throw new IllegalStateException("The database pool has " + poolSize.getAsInt() + " connections, but this "
                    + "worker gives " + database.jobConnections() + " to its jobs and keeps "
                    + database.reservedConnections() + " for its loops, " + database.poolSize()
                    + " in all: size the pool with SLUICE_DATABASE_POOL_SIZE (which sets "
                    + "spring.datasource.hikari.maximum-pool-size) rather than the Hikari setting itself");
        }
        this.turns = database.jobConnections();
        this.permits = new Semaphore(turns, true);
    }

    /** Work that may be interrupted. */
    @FunctionalInterface
    interface Work<T> {
        T run() throws InterruptedException;
    }

    /** Runs {@code work} during a turn at the database: waits for one, and gives it up afterwards. */
    <T> T during(Work<T> work) throws InterruptedException {
        permits.acquire();
        try {
            return work.run();
        } finally {
            permits.release();
        }
    }

    /**
     * Runs {@code work} (a wait, a provider call) without the turn the caller holds: gives it up, and takes one again
     * afterwards, whatever happened, so that the caller's own {@link #during} ends as it began.
     */
    <T> T between(Work<T> work) throws InterruptedException {
        permits.release();
        try {
            return work.run();
        } finally {
            permits.acquireUninterruptibly();
        }
    }

    /** How many jobs may be at the database at once. */
    public int turns() {
        return turns;
    }

    /** The jobs at the database now. */
    public int inUse() {
        return turns - permits.availablePermits();
    }
}
