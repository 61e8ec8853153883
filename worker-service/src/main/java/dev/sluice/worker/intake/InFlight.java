package dev.sluice.worker.intake;

import java.util.concurrent.Semaphore;

/**
 * The slots one model's dispatcher runs its jobs under: one of the model's own ({@code sluice.pacing
 * .max-concurrency}) from before its pacer grant, and one of the worker's, shared by every model ({@link JobSlots}),
 * from the moment the job starts ({@link #enter()}) until it ends ({@link #release()}).
 *
 * <p>A dispatcher waits for its pacer grant holding only its model's slots: a model waiting for its window (up to a
 * minute for the seed provider) must not hold the worker's slots, or it would stall every other model on the worker.
 * It asks for no more grants than the worker has free slots at that moment; when several models race for the last
 * ones, a job waits for a slot to free with its grant in hand, and a grant that has gone stale meanwhile is given
 * back by the executor, as after any slow start.
 */
final class InFlight {

    private final Semaphore model;
    private final Semaphore worker;
    private final int perModel;

    InFlight(Semaphore model, Semaphore worker) {
        this.model = model;
        this.worker = worker;
        this.perModel = model.availablePermits();
    }

    /** The model's slots taken now: its jobs running and the messages its dispatcher holds for their grants. */
    int inUse() {
        return perModel - model.availablePermits();
    }

    /** Blocks until the model has a slot for one more job (taken) and the worker has one free (not taken). */
    void acquire() throws InterruptedException {
        model.acquire();
        try {
            // Waits its turn for a free slot of the worker's, and leaves it for the job itself to take.
            worker.acquire();
            worker.release();
        } catch (InterruptedException e) {
            model.release();
            throw e;
        }
    }

    /** Takes the model's free slots, as many as the worker has free now, without waiting; returns how many. */
    int drainPermits() {
        int fromModel = model.drainPermits();
        int taken = Math.min(fromModel, worker.availablePermits());
        model.release(fromModel - taken);
        return taken;
    }

    /** The job starts: takes one of the worker's slots, waiting for one if every one is in use. */
    void enter() {
        // Not interruptible, so that release() always gives back a slot that was taken; an interrupt (shutdown) is
        // kept and ends the job at its first wait.
        worker.acquireUninterruptibly();
    }

    /** A job that had {@link #enter()}ed ended: gives back its slots, the model's and the worker's. */
    void release() {
        worker.release();
        model.release();
    }

    /** Gives back the model's slots of {@code permits} jobs that never started. */
    void release(int permits) {
        model.release(permits);
    }
}
