package dev.sluice.api.dispatch;

import dev.sluice.api.ApiProperties;
import dev.sluice.common.JobMessage;
import dev.sluice.db.batch.BatchRepository;
import dev.sluice.db.batch.BatchRepository.Publication;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.job.JobRepository.BatchLine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Publishes queued jobs that have no message: the api-service failed to publish them (broker down,
 * crash between commit and publish; {@code published_at} null), or the workers' lease rescuer re-queued
 * a dead worker's job and none was published since ({@code published_at} before {@code rescued_at}). This
 * package alone writes {@code published_at}. Only jobs older than
 * {@code sluice.dispatch.republish-after} are taken, so it does not race a request that is still
 * publishing, only jobs whose backoff ({@code not_before}) has passed, and none of a batch whose
 * publishing lease has not run out ({@link BatchPublisher} is still sending it, or died less than
 * {@code sluice.dispatch.publish-lease} ago). Several replicas may
 * publish the same job twice; the worker's conditional claim makes the second delivery a no-op.
 *
 * <p>It also finishes batches' publications whose publisher stopped ({@code batch_publications}, V36: the publisher
 * died, or gave up on a refusing broker, and its lease ran out or was ended): it takes the batch's publishing lease, so
 * one replica at a time does it, and sends the batch's queued jobs from the first unconfirmed line on, recording
 * the publication per chunk as the publisher does.
 */
@Component
public class UnpublishedJobSweeper {

    private static final Logger log = LoggerFactory.getLogger(UnpublishedJobSweeper.class);

    /** Bounds one run, so that a sweep over a huge backlog yields to the next scheduled one. */
    private static final int MAX_PAGES_PER_RUN = 200;

    /** Batches whose publication one run finishes at most. */
    private static final int MAX_BATCHES_PER_RUN = 100;

    private final JobRepository jobs;
    private final BatchRepository batches;
    private final JobPublisher publisher;
    private final Clock clock;
    private final Duration republishAfter;
    private final Duration lease;
    private final int pageSize;

    UnpublishedJobSweeper(
            JobRepository jobs,
            BatchRepository batches,
            JobPublisher publisher,
            Clock clock,
            ApiProperties properties) {
        this.jobs = jobs;
        this.batches = batches;
        this.publisher = publisher;
        this.clock = clock;
        this.republishAfter = properties.dispatch().republishAfter();
        this.lease = properties.dispatch().publishLease();
        this.pageSize = properties.dispatch().chunkSize();
    }

    /** One sweep; returns how many jobs it published. Safe to call at any time, from tests too. */
    public int runOnce() {
        int total = finishPublications();
        for (int page = 0; page < MAX_PAGES_PER_RUN; page++) {
            Instant now = clock.instant();
            List<JobMessage> due = jobs.unpublishedDue(now.minus(republishAfter), now, pageSize);
            if (due.isEmpty()) {
                break;
            }
            int published = publisher.publish(due);
            total += published;
            if (published < due.size() || due.size() < pageSize) {
                break;
            }
        }
        if (total > 0) {
            log.info("Published {} job(s) that had no confirmed message", total);
        }
        return total;
    }

    /** Finishes the publications whose batch's publishing lease has run out or was ended; how many jobs it sent. */
    private int finishPublications() {
        int total = 0;
        for (Publication publication : batches.publicationsWithoutPublisher(clock.instant(), MAX_BATCHES_PER_RUN)) {
            String batchId = publication.batchId();
            Instant now = clock.instant();
            if (!batches.takePublishing(batchId, now, now.plus(lease))) {
                continue;
            }
            try {
                total += finish(publication);
            } finally {
                batches.endPublishing(batchId);
            }
        }
        return total;
    }

    private int finish(Publication publication) {
        String batchId = publication.batchId();
        int total = 0;
        int from = publication.unconfirmedFrom();
        for (int page = 0; page < MAX_PAGES_PER_RUN; page++) {
            List<BatchLine> lines = jobs.queuedLinesFrom(batchId, from, pageSize);
            if (lines.isEmpty()) {
                // Nothing of it is queued any more (cancelled, expired, or claimed through an earlier message).
                batches.endPublication(batchId);
                break;
            }
            if (page > 0) {
                batches.setPublishingUntil(batchId, clock.instant().plus(lease));
            }
            boolean toTheEnd = lines.size() < pageSize;
            int published = publisher.publishLines(
                    batchId,
                    lines.stream().map(BatchLine::message).toList(),
                    i -> lines.get(i).lineNo(),
                    toTheEnd);
            total += published;
            if (published < lines.size() || toTheEnd) {
                break;
            }
            from = lines.getLast().lineNo() + 1;
        }
        if (total > 0) {
            log.info("Published {} job(s) of batch {} whose publisher had stopped", total, batchId);
        }
        return total;
    }

    /** The scheduled sweep: a failure (database down) is logged and the next sweep tries again. */
    void sweep() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            log.warn("Sweep for unpublished jobs failed; retrying at the next interval: {}", e.toString());
        }
    }
}
