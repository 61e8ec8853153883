package dev.sluice.worker.execution;

import dev.sluice.worker.finalization.BatchFinalizer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * After a job of a batch finishes, asks whether the batch is done ({@link BatchFinalizer#afterJobFinished}), at most
 * one check per batch at a time on this worker: jobs of one batch that finish while its check runs share the next
 * check, which starts after their finishes committed. So a batch is still settled right after its last job, and a
 * busy batch costs one check per check's duration rather than one per job.
 *
 * <p>The caller that starts a check runs it; if more jobs of the batch finished meanwhile, the next check runs on a
 * virtual thread, so no job's message waits on checks for others.
 */
final class BatchEndChecks {

    private final Map<String, AtomicInteger> unaccounted = new ConcurrentHashMap<>();
    private final Consumer<String> check;

    BatchEndChecks(Consumer<String> check) {
        this.check = check;
    }

    /** A job of {@code batchId} has finished and committed. */
    void jobFinished(String batchId) {
        AtomicInteger finished = unaccounted.computeIfAbsent(batchId, id -> new AtomicInteger());
        if (finished.getAndIncrement() == 0) {
            run(batchId, finished, 1);
        }
    }

    /** Checks once, then again on a virtual thread while finishes were counted meanwhile. */
    private void run(String batchId, AtomicInteger finished, int counted) {
        check.accept(batchId);
        int left = finished.addAndGet(-counted);
        if (left == 0) {
            unaccounted.remove(batchId, finished);
            return;
        }
        Thread.ofVirtual().name("sluice-batch-end").start(() -> run(batchId, finished, left));
    }
}
