package dev.sluice.worker.intake;

import java.util.concurrent.Semaphore;

/**
 * How the takes of one worker's dispatchers share it ({@link ModelDispatcher}). A take first locks its model's lanes,
 * which waits while another worker takes from the same model; then, if it has anything to take, it fetches, grants
 * and claims <em>in turn</em>: one take of the worker at a time, first asked first served. A take is a short run of
 * round trips and CPU, and when a mixed batch rings several models at once, their takes all running together shared
 * the cores and all finished late, where one after another the first finishes first, and its burst leaves while the
 * next model is being taken (docs/benchmarks.md).
 *
 * <p>The wait for the lock is not part of the turn. When a batch rings the same models on every worker, each worker's
 * dispatchers ask in the same order: a take that waited for its lock in turn held up its worker's other models behind
 * a model the other worker was already taking, and the workers took the models one after another between them instead
 * of side by side. Here one waits for its lock while another takes a model that is free. A take holds a database
 * connection from its lock on (one of those {@code sluice.database.reserved-connections} keeps for everything but
 * jobs), so at most {@link #LOCKING} takes of a worker lock or wait for their lock at once.
 */
final class TakeTurns {

    /** How many takes of one worker may hold or wait for their model's lock at once: each holds a connection. */
    static final int LOCKING = 2;

    private final Semaphore locking = new Semaphore(LOCKING, true);
    private final Semaphore turn = new Semaphore(1, true);

    /** Waits until this take may lock its model's lanes (a connection's worth of room). */
    void startLocking() throws InterruptedException {
        locking.acquire();
    }

    /** The take has ended, committed or not. */
    void endLocking() {
        locking.release();
    }

    /**
     * Waits for the worker's turn, holding the model's lock: a take in turn does not wait for another worker, so the
     * wait is one take at most. Not interrupted: the take's transaction is open, and it ends shortly either way.
     */
    void startTurn() {
        turn.acquireUninterruptibly();
    }

    void endTurn() {
        turn.release();
    }

    /** Whether a take of this worker is in its turn now. */
    boolean turnTaken() {
        return turn.availablePermits() == 0;
    }
}
