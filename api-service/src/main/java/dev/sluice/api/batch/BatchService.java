package dev.sluice.api.batch;

import dev.sluice.api.dispatch.JobPublisher;
import dev.sluice.api.job.JobRequest;
import dev.sluice.api.web.ApiException;
import dev.sluice.common.Ids;
import dev.sluice.common.JobMessage;
import dev.sluice.db.batch.BatchRepository;
import dev.sluice.db.batch.BatchRow;
import dev.sluice.db.batch.NewBatch;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.job.NewJob;
import dev.sluice.db.model.ModelRepository;
import dev.sluice.db.tenant.Tenant;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stores a checked batch with all its jobs in one transaction (COPY for the jobs), then, once it
 * has committed, publishes one message per job. A batch is thus either wholly stored or not at
 * all, and a worker never gets an id it cannot read.
 *
 * <p>Cancelling moves the batch to {@code cancelling} and its queued jobs to {@code cancelled} in one
 * transaction; running jobs finish, and a worker's finaliser then marks the batch {@code cancelled}.
 */
@Service
class BatchService {

    private final BatchRepository batches;
    private final JobRepository jobs;
    private final ModelRepository models;
    private final JobPublisher publisher;
    private final TransactionTemplate transaction;
    private final Clock clock;

    BatchService(BatchRepository batches, JobRepository jobs, ModelRepository models, JobPublisher publisher,
            TransactionTemplate transaction, Clock clock) {
        this.batches = batches;
        this.jobs = jobs;
        this.models = models;
        this.publisher = publisher;
        this.transaction = transaction;
        this.clock = clock;
    }

    BatchRow create(Tenant tenant, InlineBatch batch) {
        String batchId = Ids.batch();
        Instant now = clock.instant();
        List<NewJob> newJobs = new ArrayList<>(batch.requests().size());
        List<JobMessage> messages = new ArrayList<>(batch.requests().size());
        Set<String> distinctModels = new LinkedHashSet<>();
        for (int i = 0; i < batch.requests().size(); i++) {
            JobRequest request = batch.requests().get(i);
            String jobId = Ids.job();
            newJobs.add(new NewJob(jobId, tenant.id(), batchId, i + 1, request.customId(), batch.endpoint().path(),
                    request.model(), request.body(), batch.priority(), null));
            messages.add(new JobMessage(jobId, request.model(), batch.priority()));
            distinctModels.add(request.model());
        }
        transaction.executeWithoutResult(status -> {
            batches.insert(new NewBatch(batchId, tenant.id(), batch.endpoint().path(), batch.completionWindow(),
                    null, batch.metadataJson(), batch.webhookUrl(), batch.priority(), newJobs.size(), now,
                    now.plus(batch.window())));
            jobs.insertAll(newJobs, now);
            models.register(distinctModels, now);
        });
        publisher.publish(messages);
        return batches.find(tenant.id(), batchId).orElseThrow();
    }

    /**
     * Cancels the tenant's batch as OpenAI does: an {@code in_progress} batch becomes {@code cancelling};
     * one already cancelling or cancelled is returned unchanged; any other state is a 409.
     */
    BatchRow cancel(Tenant tenant, String batchId) {
        Instant now = clock.instant();
        transaction.executeWithoutResult(status -> {
            if (batches.tryStartCancelling(tenant.id(), batchId, now)) {
                jobs.cancelQueuedOfBatch(batchId, "batch " + batchId + " was cancelled before this request ran",
                        now);
            }
        });
        BatchRow batch = batches.find(tenant.id(), batchId).orElseThrow(() -> ApiException.notFound("batch", batchId));
        return switch (batch.status()) {
            case CANCELLING, CANCELLED -> batch;
            default -> throw ApiException.conflict("batch_not_cancellable",
                    "batch " + batchId + " is " + batch.status().wire() + " and can no longer be cancelled.");
        };
    }
}
