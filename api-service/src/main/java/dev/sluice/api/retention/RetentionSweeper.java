package dev.sluice.api.retention;

import dev.sluice.api.ApiProperties;
import dev.sluice.db.retention.RetentionRepository;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Removes the content of finished work once {@code SLUICE_RETENTION} has passed (docs/tenants.md, "Retention"):
 * finished batches first lose their files' content and are marked expired, then their jobs' request and response
 * bodies, a chunk of lines at a time; finished single jobs (and facade calls) lose their bodies; uploads lose their
 * bytes. Rows, statuses, counts and usage stay, and downloads of what went answer 410 {@code content_expired}.
 *
 * <p>Runs in the api-service: it owns the files and answers for what clients can still download, and the worker's
 * loops stay on the jobs' path. Every statement is one bounded chunk in its own short transaction, taking its rows
 * {@code SKIP LOCKED}, so any number of api replicas may sweep at once without doing anything twice or waiting on
 * each other; a run does at most {@code max-chunks} statements of each kind and the next run goes on.
 */
@Component
public class RetentionSweeper {

    private static final Logger log = LoggerFactory.getLogger(RetentionSweeper.class);

    /** Uploads per statement: each may be up to 200 MB of parts to delete. */
    private static final int UPLOADS_PER_CHUNK = 10;

    private final RetentionRepository retention;
    private final Duration period;
    private final int chunkSize;
    private final int maxChunks;

    RetentionSweeper(RetentionRepository retention, ApiProperties properties) {
        this.retention = retention;
        this.period = properties.retention();
        this.chunkSize = properties.retentionSweep().chunkSize();
        this.maxChunks = properties.retentionSweep().maxChunks();
    }

    /** What one run did. */
    public record Swept(int batches, int batchChunks, int singleJobs, int uploads) {

        boolean any() {
            return batches + batchChunks + singleJobs + uploads > 0;
        }
    }

    /** One run; does nothing when retention is off ({@code SLUICE_RETENTION=0}). Safe to call at any time. */
    public Swept runOnce() {
        if (!period.isPositive()) {
            return new Swept(0, 0, 0, 0);
        }
        int batches = 0;
        for (int i = 0; i < maxChunks; i++) {
            int n = retention.expireFinishedBatches(period, chunkSize);
            batches += n;
            if (n < chunkSize) {
                break;
            }
        }
        int batchChunks = 0;
        while (batchChunks < maxChunks && retention.purgeBatchLines(chunkSize)) {
            batchChunks++;
        }
        int singleJobs = 0;
        for (int i = 0; i < maxChunks; i++) {
            int n = retention.expireSingleJobs(period, chunkSize);
            singleJobs += n;
            if (n < chunkSize) {
                break;
            }
        }
        int uploads = 0;
        for (int i = 0; i < maxChunks; i++) {
            int n = retention.expireUploads(period, UPLOADS_PER_CHUNK);
            uploads += n;
            if (n < UPLOADS_PER_CHUNK) {
                break;
            }
        }
        Swept swept = new Swept(batches, batchChunks, singleJobs, uploads);
        if (swept.any()) {
            log.info(
                    "Retention ({}): expired {} batch(es), purged {} chunk(s) of batch jobs, {} single job(s), "
                            + "{} upload(s)",
                    period,
                    batches,
                    batchChunks,
                    singleJobs,
                    uploads);
        }
        return swept;
    }

    /** The scheduled run: a failure (database down) is logged and the next run goes on. */
    void sweep() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            log.warn("Retention sweep failed; retrying at the next interval: {}", e.toString());
        }
    }
}
