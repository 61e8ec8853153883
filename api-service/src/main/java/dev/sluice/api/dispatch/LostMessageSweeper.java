package dev.sluice.api.dispatch;

import dev.sluice.api.ApiProperties;
import dev.sluice.common.Queues;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.model.ModelRepository;
import dev.sluice.db.model.ModelSettings;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.stereotype.Component;

/**
 * Finds jobs whose message the broker confirmed and then lost (a queue deleted or purged, a broker
 * restored without its disk): for each model whose queue is empty or missing while PostgreSQL still
 * has jobs of it queued, due, and published longer than {@code sluice.dispatch.republish-after} ago,
 * it forgets their publication, and the {@link UnpublishedJobSweeper} publishes them again.
 *
 * <p>A message can also be out of the queue because a worker holds it unacked while it waits for its
 * first pacer grant or for the job's retry backoff (a retry keeps its message and its {@code published_at});
 * republishing that job too is harmless: the second delivery is a no-op at the claim.
 */
@Component
public class LostMessageSweeper {

    private static final Logger log = LoggerFactory.getLogger(LostMessageSweeper.class);

    private final ModelRepository models;
    private final JobRepository jobs;
    private final AmqpAdmin admin;
    private final Duration republishAfter;
    private final int limit;

    LostMessageSweeper(ModelRepository models, JobRepository jobs, AmqpAdmin admin, ApiProperties properties) {
        this.models = models;
        this.jobs = jobs;
        this.admin = admin;
        this.republishAfter = properties.dispatch().republishAfter();
        this.limit = properties.dispatch().chunkSize();
    }

    /** One sweep; returns how many jobs it marked for publishing again. Safe to call at any time. */
    public int runOnce() {
        int total = 0;
        for (ModelSettings model : models.settings()) {
            QueueInformation queue = admin.getQueueInfo(Queues.forModel(model.model()));
            if (queue != null && queue.getMessageCount() > 0) {
                continue;
            }
            int forgotten = jobs.forgetLostMessages(model.model(), republishAfter, limit);
            if (forgotten > 0) {
                log.warn(
                        "The queue of model {} is {} but {} queued job(s) were published over {} ago: their messages "
                                + "were lost; publishing them again",
                        model.model(),
                        queue == null ? "missing" : "empty",
                        forgotten,
                        republishAfter);
            }
            total += forgotten;
        }
        return total;
    }
}
