package dev.sluice.worker.finalization;

import dev.sluice.common.BatchStatus;
import dev.sluice.common.Ids;
import dev.sluice.db.batch.BatchRepository;
import dev.sluice.db.batch.BatchRow;
import dev.sluice.db.batch.BatchTransitions;
import dev.sluice.db.batch.JobCounts;
import dev.sluice.db.batch.Usage;
import dev.sluice.db.file.FileRepository;
import dev.sluice.db.file.ResultKind;
import dev.sluice.db.job.JobTransitions;
import dev.sluice.worker.WorkerProperties;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Completes a batch once all its jobs are finished, exactly once across all workers.
 *
 * <p>Whoever moves the batch from {@code in_progress} to {@code finalizing} ({@link BatchRepository#tryStartFinalizing},
 * a conditional UPDATE only one caller wins) records its output file (always, possibly empty) and its error
 * file (only when some job did not succeed, as OpenAI leaves {@code error_file_id} null otherwise), then
 * marks it {@code completed} with its final counts and usage. Normally that is the worker that finished the
 * last job, right after committing it. {@link #runOnce()} sweeps up the rest: batches nobody moved (that
 * worker died first) and batches left in {@code finalizing} for longer than {@code stale-after} (it died in
 * the middle). Finishing the same batch twice is harmless: the files are unique per batch and kind, and only
 * a {@code finalizing} batch can be marked completed.
 *
 * <p>The files are sized only once the batch is settled: counting their bytes renders every result line (seconds
 * for 100,000 lines), which the batch's clients need not wait for. A file left unsized (its finaliser died in
 * between) is sized by a sweep once it is older than {@code stale-after}, or by the api when a client reads the file
 * object first.
 *
 * <p>A cancelled batch ({@code cancelling}: its queued jobs were cancelled, its running ones finish) is settled
 * the same way once its last running job ends, or by the sweep when none was running: the same files and counts,
 * then {@code cancelled} instead of {@code completed}, conditional on {@code cancelling} so it happens once.
 *
 * <p>Expiry: each sweep first expires the queued jobs of {@code in_progress} batches whose {@code expires_at}
 * has passed (also jobs back in the queue after the window closed: a retry, a rescued lease). There is no
 * {@code expiring} status in OpenAI's API, so the batch stays {@code in_progress} while its running jobs finish
 * and is then finalised like any other, but settled {@code expired} instead of {@code completed}
 * when its window has closed and at least one of its jobs expired, keeping its finished results. A job still
 * queued past the window but not yet swept may be claimed and run in between; it then counts as finished work.
 */
@Component
public class BatchFinalizer {

    private static final Logger log = LoggerFactory.getLogger(BatchFinalizer.class);

    private final BatchRepository batches;
    private final BatchTransitions transitions;
    private final FileRepository files;
    private final JobTransitions jobs;
    private final InstantSource clock;
    private final Duration staleAfter;
    private final int batchSize;

    BatchFinalizer(
            BatchRepository batches,
            BatchTransitions transitions,
            FileRepository files,
            JobTransitions jobs,
            InstantSource clock,
            WorkerProperties properties) {
        this.batches = batches;
        this.transitions = transitions;
        this.files = files;
        this.jobs = jobs;
        this.clock = clock;
        this.staleAfter = properties.finalization().staleAfter();
        this.batchSize = properties.finalization().batchSize();
    }

    /**
     * Called after a job of {@code batchId} reached a terminal state and was committed: finalises the batch if
     * that was its last unfinished job. Never throws; a failure is left to the sweep.
     */
    public void afterJobFinished(String batchId) {
        try {
            // Most finishes leave work behind: one read of the batch's kept counts (V19) tells so, where the
            // transitions below cost an UPDATE and a read of the whole batch row. This check runs after the finish
            // committed, so the check of whoever finished the last job sees none left.
            if (batches.liveCounts(batchId).unfinished() > 0) {
                return;
            }
            if (transitions.tryStartFinalizing(batchId, clock.instant())) {
                complete(batchId);
            } else {
                cancelIfDone(batchId);
            }
        } catch (RuntimeException e) {
            log.warn("Finalising batch {} failed; the finalisation sweep will finish it", batchId, e);
        }
    }

    /**
     * One sweep: expires the queued jobs of batches whose completion window closed, then finalises every batch
     * that is ready but was missed, or whose finaliser died, and every cancelling batch with nothing left running,
     * and sizes the result files a dead finaliser left unsized; returns how many batches it settled.
     */
    public int runOnce() {
        int completed = 0;
        Instant staleBefore = clock.instant().minus(staleAfter);
        // Jobs that went back to the queue after their batch was cancelled (a rescued lease) end here.
        jobs.cancelQueuedOfCancellingBatches(null, clock.instant());
        // Before the finalisable batches are looked up, so that a batch with nothing running settles in this sweep.
        int expired = jobs.expireQueuedOfExpiredBatches(null, clock.instant());
        if (expired > 0) {
            log.info("Expired {} queued jobs whose batch's completion window closed", expired);
        }
        for (String batchId : batches.finalizable(batchSize)) {
            BatchRow batch = batches.find(batchId).orElse(null);
            if (batch == null) {
                continue;
            }
            boolean mine = switch (batch.status()) {
                case IN_PROGRESS -> transitions.tryStartFinalizing(batchId, clock.instant());
                // Only a finaliser that has been at it for long is presumed dead; a live one is left alone. The
                // replacement claims the batch first, so that sweeps of this and other workers do not each start
                // another finalisation of it while the first is still rendering a large batch's results.
                case FINALIZING ->
                    batch.finalizingAt() != null
                            && batch.finalizingAt().isBefore(staleBefore)
                            && transitions.tryReplaceStaleFinalizer(batchId, staleBefore, clock.instant());
                default -> false;
            };
            if (mine ? complete(batchId) : batch.status() == BatchStatus.CANCELLING && cancelIfDone(batchId)) {
                completed++;
            }
        }
        // Files left unsized by a finaliser that died after settling their batch; a recent one is left to its own.
        for (FileRepository.UnsizedFile file : files.unsizedResultFiles(staleBefore, batchSize)) {
            size(file.id(), file.batchId(), file.kind());
        }
        return completed;
    }

    /**
     * Records the result files and settles the {@code finalizing} batch: {@code expired} when its window has
     * closed and some of its jobs expired, otherwise {@code completed} (a batch whose every job ran is completed,
     * even when it finished after its window). False if someone else settled it.
     */
    private boolean complete(String batchId) {
        BatchRow batch = batches.find(batchId)
                .orElseThrow(() -> new IllegalStateException("batch " + batchId + " vanished while finalising"));
        if (batch.status() != BatchStatus.FINALIZING) {
            return false;
        }
        JobCounts counts = batches.liveCounts(batchId);
        Instant now = clock.instant();
        Results results = record(batch, counts);
        // Whether the window has closed is the database's to say (markExpired compares on its clock).
        boolean expired = counts.expired() > 0
                && transitions.markExpired(
                        batchId, results.counts(), results.usage(), results.outputFileId(), results.errorFileId(), now);
        boolean settled = expired
                || transitions.markCompleted(
                        batchId, results.counts(), results.usage(), results.outputFileId(), results.errorFileId(), now);
        if (settled) {
            log.info("Batch {} {}: {}", batchId, expired ? "expired" : "completed", results);
            sizeFiles(batchId, results);
        }
        return settled;
    }

    /**
     * Records the result files of a {@code cancelling} batch with no job left queued or running and marks it
     * {@code cancelled}; false if it is in another state, still has a running job, or someone else did it.
     * Jobs never leave a terminal state, so files recorded once nothing is unfinished stay right.
     */
    private boolean cancelIfDone(String batchId) {
        BatchRow batch = batches.find(batchId).orElse(null);
        if (batch == null || batch.status() != BatchStatus.CANCELLING) {
            return false;
        }
        JobCounts counts = batches.liveCounts(batchId);
        if (counts.unfinished() > 0) {
            return false;
        }
        Results results = record(batch, counts);
        boolean cancelled = transitions.markCancelled(
                batchId,
                results.counts(),
                results.usage(),
                results.outputFileId(),
                results.errorFileId(),
                clock.instant());
        if (cancelled) {
            log.info("Batch {} cancelled: {}", batchId, results);
            sizeFiles(batchId, results);
        }
        return cancelled;
    }

    /** The output file (always, possibly empty) and the error file (only when some job did not succeed). */
    private Results record(BatchRow batch, JobCounts counts) {
        Usage usage = batches.liveUsage(batch.id());
        String outputFileId = recordFile(batch, ResultKind.OUTPUT, "output");
        String errorFileId = counts.unsuccessful() > 0 ? recordFile(batch, ResultKind.ERROR, "error") : null;
        return new Results(counts, usage, outputFileId, errorFileId);
    }

    /** What a finished batch records: final counts and usage, and its result files. */
    private record Results(JobCounts counts, Usage usage, String outputFileId, String errorFileId) {

        @Override
        public String toString() {
            return counts.succeeded() + " succeeded, " + counts.unsuccessful() + " did not (output " + outputFileId
                    + ", errors " + (errorFileId == null ? "none" : errorFileId) + ")";
        }
    }

    /** Files hold no bytes of their own (they are rendered from the jobs on read); recorded unsized. */
    private String recordFile(BatchRow batch, ResultKind kind, String suffix) {
        return files.insertResultFile(
                Ids.file(), batch.tenantId(), batch.id(), kind, batch.id() + "_" + suffix + ".jsonl", clock.instant());
    }

    /** Sizes the settled batch's result files; a failure leaves them to the sweep (or the api's first read). */
    private void sizeFiles(String batchId, Results results) {
        size(results.outputFileId(), batchId, ResultKind.OUTPUT);
        if (results.errorFileId() != null) {
            size(results.errorFileId(), batchId, ResultKind.ERROR);
        }
    }

    private void size(String fileId, String batchId, ResultKind kind) {
        try {
            files.sizeResultFile(fileId, batchId, kind);
        } catch (RuntimeException e) {
            log.warn(
                    "Sizing the {} file {} of batch {} failed; the next sweep tries again",
                    kind.fileKind(),
                    fileId,
                    batchId,
                    e);
        }
    }
}
