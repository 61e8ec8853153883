package dev.sluice.api.dispatch;

import dev.sluice.api.ApiProperties;
import dev.sluice.common.JobMessage;
import dev.sluice.db.batch.BatchRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Publishes a stored batch's job messages without keeping its creating request waiting for all of them.
 *
 * <p>The request stores the batch with a publishing lease ({@code batches.publishing_until}, {@link #leaseFrom})
 * in the storing transaction, and once that has committed calls {@link #publish}: the first chunk is published
 * at once, in growing steps from {@value #LEAD} messages (so the workers start on the first ones meanwhile; a small
 * batch is wholly on its queues when the request answers), the rest on
 * a virtual thread, chunk by chunk with confirms through {@link JobPublisher}, the lease extended before each
 * chunk and ended afterwards, whether all went out or not. The batch's jobs were stored as published, and each
 * confirmed chunk moves the batch's publication on ({@code batch_publications}, V36) instead of marking its jobs.
 * While the lease holds, {@link UnpublishedJobSweeper} leaves the batch's jobs alone, so no message is sent twice;
 * if this process dies mid-publish, the lease runs out and the sweeper (of any replica) publishes the rest, from the
 * first line the broker did not confirm. On shutdown the running publishers finish their current chunk, end their
 * lease and stop; the sweeper publishes what they left.
 */
@Component
public class BatchPublisher implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(BatchPublisher.class);

    /**
     * The first step of the first chunk: one window's burst of a typical limit. Each later step of the first chunk is
     * four times the one before.
     */
    static final int LEAD = 16;

    private final JobPublisher publisher;
    private final BatchRepository batches;
    private final Clock clock;
    private final Duration lease;
    private final Duration confirmTimeout;
    private final int chunkSize;
    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("batch-publisher-", 0).factory());
    private volatile boolean stopping;

    BatchPublisher(JobPublisher publisher, BatchRepository batches, Clock clock, ApiProperties properties) {
        this.publisher = publisher;
        this.batches = batches;
        this.clock = clock;
        this.lease = properties.dispatch().publishLease();
        this.confirmTimeout = properties.dispatch().confirmTimeout();
        this.chunkSize = properties.dispatch().chunkSize();
    }

    /** The publishing lease to store with a batch created at {@code now}, in the transaction that stores it. */
    public Instant leaseFrom(Instant now) {
        return now.plus(lease);
    }

    /**
     * Publishes the first chunk of the committed batch's messages now and the rest in the background. Never
     * throws for a broker failure: what is not published is left to the sweeper, as {@link JobPublisher} does.
     */
    public void publish(String batchId, List<JobMessage> messages) {
        List<JobMessage> first = messages.subList(0, Math.min(chunkSize, messages.size()));
        // The first chunk goes out in growing steps (LEAD, then four times as many, ...), each confirmed and its lanes
        // entered before the next, so the workers start on the first messages while the rest are still being
        // confirmed: the first provider call does not wait for a whole chunk, and a batch over several models has
        // every model's first window on its queue after two short steps rather than after the whole chunk.
        boolean refused = false;
        for (int from = 0, step = LEAD; from < first.size() && !refused; from += step, step *= 4) {
            List<JobMessage> part = first.subList(from, Math.min(first.size(), from + step));
            refused = publishLines(batchId, part, from, messages.size()) < part.size();
        }
        if (refused || first.size() == messages.size()) {
            endLease(batchId);
            return;
        }
        List<JobMessage> rest = messages.subList(first.size(), messages.size());
        try {
            executor.execute(() -> publishRest(batchId, rest, first.size(), messages.size()));
        } catch (RejectedExecutionException e) {
            log.info(
                    "Shutting down: the sweeper will publish the remaining {} job(s) of batch {}",
                    rest.size(),
                    batchId);
            endLease(batchId);
        }
    }

    /**
     * Publishes {@code part}, the batch's messages from index {@code from} on (message {@code i} is line {@code i + 1}
     * of the {@code total}), recording the batch's publication per confirmed chunk ({@link JobPublisher#publishLines}).
     */
    private int publishLines(String batchId, List<JobMessage> part, int from, int total) {
        return publisher.publishLines(batchId, part, i -> from + i + 1, from + part.size() == total);
    }

    private void publishRest(String batchId, List<JobMessage> rest, int offset, int total) {
        long started = System.nanoTime();
        int done = 0;
        try {
            for (int from = 0; from < rest.size(); from += chunkSize) {
                if (stopping) {
                    log.info(
                            "Shutting down: the sweeper will publish the remaining {} job(s) of batch {}",
                            rest.size() - from,
                            batchId);
                    break;
                }
                batches.setPublishingUntil(batchId, leaseFrom(clock.instant()));
                List<JobMessage> chunk = rest.subList(from, Math.min(rest.size(), from + chunkSize));
                int confirmed = publishLines(batchId, chunk, offset + from, total);
                done += confirmed;
                if (confirmed < chunk.size()) {
                    break;
                }
            }
        } catch (RuntimeException e) {
            log.warn(
                    "Publishing batch {} in the background stopped after {} of {} job(s); the sweeper will publish "
                            + "the rest once its lease has passed: {}",
                    batchId,
                    done,
                    rest.size(),
                    e.toString());
        } finally {
            endLease(batchId);
        }
        log.debug(
                "Published {} of {} job(s) of batch {} in the background in {} ms",
                done,
                rest.size(),
                batchId,
                (System.nanoTime() - started) / 1_000_000);
    }

    private void endLease(String batchId) {
        try {
            batches.endPublishing(batchId);
        } catch (RuntimeException e) {
            log.warn(
                    "Could not end the publishing lease of batch {}; the sweeper takes over when it runs out: {}",
                    batchId,
                    e.toString());
        }
    }

    /** Lets running publishers finish their current chunk (bounded by the confirm timeout), then stops. */
    @Override
    public void destroy() throws InterruptedException {
        stopping = true;
        executor.shutdown();
        if (!executor.awaitTermination(confirmTimeout.plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn("Background publishers did not stop in time; the sweeper will publish what they left");
            executor.shutdownNow();
        }
    }
}
