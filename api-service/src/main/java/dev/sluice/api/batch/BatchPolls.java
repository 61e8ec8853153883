package dev.sluice.api.batch;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.job.JobService;
import dev.sluice.db.batch.BatchStatusChanged;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * One read of a batch serves every poll of it on this replica within {@code SLUICE_BATCH_POLL_STALENESS} (single
 * flight): a poll that finds a read of the batch in flight waits for it, and one that finds a read started at most
 * that long ago takes its answer; otherwise it reads. So 32 clients polling a batch back to back cost its replica
 * one read per staleness period, however fast they poll.
 *
 * <p>A poll need not wait for that read either while the last one is recent (started less than twice the staleness
 * ago): it starts the new read in the background and is answered from the last one, as is every poll arriving while
 * that read is in flight. So a batch polled steadily is never read on a poll's way, and a busy database does not
 * lengthen the polls; only the first poll after a quiet spell of more than twice the staleness waits for its read.
 *
 * <p>A change this replica makes to the batch {@link #forget}s its reads, so the client that made it sees it in its
 * next poll; so does a change of the batch's status made anywhere, once PostgreSQL announces it
 * ({@link BatchStatusChanges}): a batch that completed reads completed at the next poll. Other changes made elsewhere
 * (jobs finishing, which move the counts) show within twice the staleness plus one read. Each read counts in
 * {@code sluice_batch_poll_reads_total}.
 */
@Component
class BatchPolls {

    private static final Logger log = LoggerFactory.getLogger(BatchPolls.class);

    /** Beyond this many remembered reads, those too old to answer from are dropped. */
    private static final int PRUNE_ABOVE = 1_000;

    /** One tenant's view of one batch id. */
    private record Key(String tenantId, String batchId) {}

    /**
     * A read of a batch, in flight or done, and when it started; while it is in flight, the last read done before it
     * when that is recent enough to answer from (else null).
     */
    private record Read(CompletableFuture<Optional<BatchView>> view, long startedAt, Read last) {

        boolean done() {
            return view.isDone() && !view.isCompletedExceptionally();
        }
    }

    private final Map<Key, Read> reads = new ConcurrentHashMap<>();
    private final long stalenessMillis;
    private final Clock clock;
    private final Counter readCount;

    BatchPolls(ApiProperties properties, Clock clock, MeterRegistry meters) {
        this.stalenessMillis = properties.batchPollStaleness().toMillis();
        this.clock = clock;
        this.readCount = Counter.builder("sluice.batch.poll.reads")
                .description("Reads made for GET /v1/batches/{id}; concurrent and recent polls of a batch share one")
                .register(meters);
    }

    /**
     * The tenant's batch as {@code read} gives it, or as a read of it in flight or within the staleness gave it, or
     * (while a new read runs in the background) as the last recent read gave it.
     */
    Optional<BatchView> poll(String tenantId, String batchId, Supplier<Optional<BatchView>> read) {
        Key key = new Key(tenantId, batchId);
        long now = clock.millis();
        Read[] started = new Read[1];
        Read shared = reads.compute(key, (k, previous) -> {
            if (fresh(previous, now)) {
                return previous;
            }
            Read last = previous != null && previous.done() && now - previous.startedAt() < 2 * stalenessMillis
                    ? new Read(previous.view(), previous.startedAt(), null)
                    : null;
            started[0] = new Read(new CompletableFuture<>(), now, last);
            return started[0];
        });
        if (started[0] != null) {
            readCount.increment();
            if (started[0].last() != null) {
                Thread.ofVirtual().name("sluice-batch-poll").start(() -> readInBackground(key, started[0], read));
            } else {
                readNow(key, started[0], read);
            }
        }
        // A background read still running, or failed: answer from the last read; once it has succeeded, from it.
        Read answer = shared.last() != null && !shared.done() ? shared.last() : shared;
        try {
            return answer.view().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** Drops any read of the batch, in flight or done: this replica changed it and the next poll must show that. */
    void forget(String tenantId, String batchId) {
        reads.remove(new Key(tenantId, batchId));
    }

    @EventListener
    void on(JobService.BatchJobCancelled cancelled) {
        forget(cancelled.tenantId(), cancelled.batchId());
    }

    /** Drops every read of a batch whose status changed anywhere: the next poll reads it again and waits for that. */
    @EventListener
    void on(BatchStatusChanged changed) {
        reads.keySet().removeIf(key -> changed.concerns(key.batchId()));
    }

    private void readNow(Key key, Read mine, Supplier<Optional<BatchView>> read) {
        try {
            mine.view().complete(read.get());
        } catch (RuntimeException | Error e) {
            // Those waiting get the failure too; the next poll reads again.
            reads.remove(key, mine);
            mine.view().completeExceptionally(e);
            throw e;
        }
        prune();
    }

    private void readInBackground(Key key, Read mine, Supplier<Optional<BatchView>> read) {
        try {
            mine.view().complete(read.get());
        } catch (RuntimeException | Error e) {
            // Nobody waits for this read (its polls were answered from the last one); the next poll reads again.
            reads.remove(key, mine);
            mine.view().completeExceptionally(e);
            log.debug("Reading batch {} for its polls failed: {}", key.batchId(), e.toString());
        }
        prune();
    }

    private void prune() {
        if (reads.size() > PRUNE_ABOVE) {
            long now = clock.millis();
            reads.values().removeIf(r -> r.view().isDone() && now - r.startedAt() >= 2 * stalenessMillis);
        }
    }

    /** In flight, or done within the staleness. */
    private boolean fresh(Read read, long now) {
        return read != null && (!read.view().isDone() || (read.done() && now - read.startedAt() < stalenessMillis));
    }
}
