package dev.sluice.worker.intake;

import java.util.concurrent.Semaphore;

/**
 * The permits one model's dispatcher runs its jobs under: one of the model's own ({@code sluice.pacing
 * .max-concurrency}) and one of the worker's, shared by every model ({@link JobSlots}), per job in flight. Taken
 * and given back together, so neither is ever held without the other.
 */
final class InFlight {

    private final Semaphore model;
    private final Semaphore worker;

    InFlight(Semaphore model, Semaphore worker) {
        this.model = model;
        this.worker = worker;
    }

    /** Blocks until the model and the worker each have a slot for one more job. */
    void acquire() throws InterruptedException {
        model.acquire();
        try {
            worker.acquire();
        } catch (InterruptedException e) {
            model.release();
            throw e;
        }
    }

    /** Takes every slot free now on both sides, without waiting; returns how many. */
    int drainPermits() {
        int fromModel = model.drainPermits();
        int taken = 0;
        while (taken < fromModel && worker.tryAcquire()) {
            taken++;
        }
        model.release(fromModel - taken);
        return taken;
    }

    /** Gives back one job's slots. */
    void release() {
        release(1);
    }

    /** Gives back {@code permits} jobs' slots. */
    void release(int permits) {
        worker.release(permits);
        model.release(permits);
    }
}
