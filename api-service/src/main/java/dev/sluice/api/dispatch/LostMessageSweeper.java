package dev.sluice.api.dispatch;

import dev.sluice.api.ApiProperties;
import dev.sluice.common.Queues;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.lane.LaneKey;
import dev.sluice.db.lane.LaneRepository;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.stereotype.Component;

/**
 * Finds jobs whose message the broker confirmed and then lost (a queue deleted or purged, a broker restored without
 * its disk): for each lane whose queue is empty or missing while PostgreSQL still has jobs of it queued, due, and
 * published longer than {@code sluice.dispatch.republish-after} ago, it forgets their publication, and the
 * {@link UnpublishedJobSweeper} publishes them again. A lane whose queue does hold messages is entered again, which
 * is a no-op unless its row was lost, so no message can wait in a queue that no worker looks at.
 *
 * <p>A message can also be out of the queue because a worker holds it unacked while it waits for its first pacer
 * grant or for the job's retry backoff (a retry keeps its message and its {@code published_at}); republishing that
 * job too is harmless: the second delivery is a no-op at the claim. Messages left on the queues of a version before
 * lanes (one queue per model) are recovered the same way: their jobs' lanes are empty.
 */
@Component
public class LostMessageSweeper {

    private static final Logger log = LoggerFactory.getLogger(LostMessageSweeper.class);

    private final JobRepository jobs;
    private final LaneRepository lanes;
    private final AmqpAdmin admin;
    private final Duration republishAfter;
    private final int limit;

    LostMessageSweeper(JobRepository jobs, LaneRepository lanes, AmqpAdmin admin, ApiProperties properties) {
        this.jobs = jobs;
        this.lanes = lanes;
        this.admin = admin;
        this.republishAfter = properties.dispatch().republishAfter();
        this.limit = properties.dispatch().chunkSize();
    }

    /** One sweep; returns how many jobs it marked for publishing again. Safe to call at any time. */
    public int runOnce() {
        int total = 0;
        for (LaneKey lane : jobs.lanesWithOldMessages(republishAfter)) {
            QueueInformation queue = admin.getQueueInfo(Queues.forLane(lane.model(), lane.tenantId()));
            if (queue != null && queue.getMessageCount() > 0) {
                lanes.enter(List.of(lane));
                continue;
            }
            int forgotten = jobs.forgetLostMessages(lane, republishAfter, limit);
            if (forgotten > 0) {
                log.warn(
                        "The queue of model {} for tenant {} is {} but {} queued job(s) were published over {} ago: "
                                + "their messages were lost; publishing them again",
                        lane.model(),
                        lane.tenantId(),
                        queue == null ? "missing" : "empty",
                        forgotten,
                        republishAfter);
            }
            total += forgotten;
        }
        return total;
    }
}
