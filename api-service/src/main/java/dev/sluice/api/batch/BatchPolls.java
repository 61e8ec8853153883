package dev.sluice.api.batch;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.job.JobService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * One read of a batch serves every poll of it on this replica within {@code SLUICE_BATCH_POLL_STALENESS} (single
 * flight): a poll that finds a read of the batch in flight waits for it, and one that finds a read started at most
 * that long ago takes its answer; otherwise it reads. So 32 clients polling a batch back to back cost its replica
 * one read per staleness period, however fast they poll. A change this replica makes to the batch {@link #forget}s
 * the read, so the client that made it sees it in its next poll; a change made elsewhere (a worker finishing jobs,
 * a cancel on another replica) shows within the staleness plus one read. Each read counts in
 * {@code sluice_batch_poll_reads_total}.
 */
@Component
class BatchPolls {

    /** Beyond this many remembered reads, those past their staleness are dropped. */
    private static final int PRUNE_ABOVE = 1_000;

    /** One tenant's view of one batch id. */
    private record Key(String tenantId, String batchId) {}

    /** A read of a batch, in flight or done, and when it started. */
    private record Read(CompletableFuture<Optional<BatchView>> view, long startedAt) {}

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

    /** The tenant's batch as {@code read} gives it, or as a read of it in flight or within the staleness gave it. */
    Optional<BatchView> poll(String tenantId, String batchId, Supplier<Optional<BatchView>> read) {
        Key key = new Key(tenantId, batchId);
        long now = clock.millis();
        Read mine = new Read(new CompletableFuture<>(), now);
        Read shared = reads.compute(key, (k, previous) -> usable(previous, now) ? previous : mine);
        if (shared == mine) {
            readCount.increment();
            try {
                mine.view().complete(read.get());
            } catch (RuntimeException | Error e) {
                // Those waiting get the failure too; the next poll reads again.
                reads.remove(key, mine);
                mine.view().completeExceptionally(e);
                throw e;
            }
            if (reads.size() > PRUNE_ABOVE) {
                reads.values().removeIf(r -> !usable(r, now));
            }
        }
        try {
            return shared.view().join();
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

    private boolean usable(Read read, long now) {
        return read != null && (!read.view().isDone() || now - read.startedAt() < stalenessMillis);
    }
}
