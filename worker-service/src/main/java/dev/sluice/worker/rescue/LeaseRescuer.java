package dev.sluice.worker.rescue;

import dev.sluice.db.job.JobRepository;
import dev.sluice.worker.WorkerProperties;
import java.time.InstantSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Gives the jobs of dead workers back to the queue: a running job whose lease ran out goes back to
 * {@code queued} with {@code published_at} cleared, and the api-service's publish sweeper sends it again.
 * Any worker may run it; the UPDATE skips rows another rescuer has locked.
 */
@Component
public class LeaseRescuer {

    private static final Logger log = LoggerFactory.getLogger(LeaseRescuer.class);

    private final JobRepository jobs;
    private final InstantSource clock;
    private final int batchSize;

    LeaseRescuer(JobRepository jobs, InstantSource clock, WorkerProperties properties) {
        this.jobs = jobs;
        this.clock = clock;
        this.batchSize = properties.rescue().batchSize();
    }

    /** Re-queues the jobs whose lease has expired, up to the batch size; returns how many. */
    public int runOnce() {
        int rescued = jobs.rescueExpiredLeases(clock.instant(), batchSize);
        if (rescued > 0) {
            log.warn("Re-queued {} running job(s) whose worker's lease expired", rescued);
        }
        return rescued;
    }
}
