package dev.sluice.api.batch;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.dispatch.BatchPublisher;
import dev.sluice.api.idempotency.IdempotencyKey;
import dev.sluice.api.idempotency.IdempotencyKeys;
import dev.sluice.api.job.JobRequest;
import dev.sluice.api.metrics.SubmissionMetrics;
import dev.sluice.api.model.StoredModels;
import dev.sluice.api.quota.TenantQuotas;
import dev.sluice.api.web.ApiException;
import dev.sluice.common.Endpoint;
import dev.sluice.common.Ids;
import dev.sluice.common.JobMessage;
import dev.sluice.db.batch.BatchRepository;
import dev.sluice.db.batch.BatchRow;
import dev.sluice.db.batch.BatchTransitions;
import dev.sluice.db.batch.NewBatch;
import dev.sluice.db.file.FileEntityRepository;
import dev.sluice.db.idempotency.IdempotencyRepository.ObjectType;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.job.JobRetryRepository;
import dev.sluice.db.job.JobRow;
import dev.sluice.db.job.JobTransitions;
import dev.sluice.db.retention.RetentionRepository;
import dev.sluice.db.tenant.Tenant;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stores a checked batch with all its jobs in one transaction (COPY for the jobs, written as the lines
 * arrive: an input file's lines are read, checked and stored one by one, {@link BatchJobWriter}), then,
 * once it has committed, publishes one message per job: the first chunk before answering, the rest in the
 * background under the batch's publishing lease ({@link BatchPublisher}). A batch is thus either wholly
 * stored or not at all (a bad line late in a file rolls back all before it), and a worker never gets an id
 * it cannot read.
 *
 * <p>Cancelling moves the batch to {@code cancelling} and its queued jobs to {@code cancelled} in one
 * transaction; running jobs finish, and a worker's finaliser then marks the batch {@code cancelled}.
 *
 * <p>An inline batch gets an input file in OpenAI's sense in the same transaction (purpose {@code batch},
 * tied to the batch, content rendered from its jobs on read), so that its {@code input_file_id} is never null.
 *
 * <p>The tenant's queued-jobs quota is checked in the same transaction, after the jobs are written and with the
 * tenant locked until commit ({@link TenantQuotas}): a batch that would exceed it is refused whole with 429.
 *
 * <p>With an {@code Idempotency-Key} the key is claimed first in the storing transaction; a repeat of
 * an earlier request stores and publishes nothing and returns the earlier batch. A retry creates a new
 * batch from a finished one's unsuccessful jobs through the same path.
 */
@Service
class BatchService {

    private final BatchRepository batches;
    private final JobRepository jobs;
    private final JobRetryRepository retryJobs;
    private final StoredModels models;
    private final IdempotencyKeys idempotency;
    private final BatchPublisher publisher;
    private final TransactionTemplate transaction;
    private final Clock clock;
    private final ApiProperties.Input limits;
    private final SubmissionMetrics metrics;
    private final InputFileLines inputFiles;
    private final FileEntityRepository files;
    private final BatchTransitions batchTransitions;
    private final JobTransitions jobTransitions;
    private final TenantQuotas quotas;
    private final RetentionRepository retention;

    BatchService(
            BatchRepository batches,
            JobRepository jobs,
            JobRetryRepository retryJobs,
            StoredModels models,
            IdempotencyKeys idempotency,
            BatchPublisher publisher,
            TransactionTemplate transaction,
            Clock clock,
            ApiProperties properties,
            SubmissionMetrics metrics,
            InputFileLines inputFiles,
            FileEntityRepository files,
            BatchTransitions batchTransitions,
            JobTransitions jobTransitions,
            TenantQuotas quotas,
            RetentionRepository retention) {
        this.quotas = quotas;
        this.retention = retention;
        this.batchTransitions = batchTransitions;
        this.jobTransitions = jobTransitions;
        this.inputFiles = inputFiles;
        this.files = files;
        this.batches = batches;
        this.jobs = jobs;
        this.retryJobs = retryJobs;
        this.models = models;
        this.idempotency = idempotency;
        this.publisher = publisher;
        this.transaction = transaction;
        this.clock = clock;
        this.limits = properties.input();
        this.metrics = metrics;
    }

    /**
     * Stores the batch and publishes its jobs once committed; with a key that already created a batch
     * for the same request, returns that batch instead and stores and publishes nothing.
     */
    BatchRow create(Tenant tenant, InlineBatch batch, IdempotencyKey key) {
        String batchId = Ids.batch();
        String inputFileId = batch.requests() != null ? Ids.file() : batch.inputFileId();
        Instant now = clock.instant();
        BatchJobWriter writer = new BatchJobWriter(jobs, tenant.id(), batch, batchId, now);
        String earlier = transaction.execute(status -> {
            Optional<String> held = idempotency.claim(tenant.id(), key, ObjectType.BATCH, batchId, now);
            if (held.isPresent()) {
                status.setRollbackOnly();
                return held.get();
            }
            if (batch.requests() != null) {
                // Refused before a line is written when the tenant is already too full for them.
                quotas.precheckQueuedJobs(tenant.id(), batch.requests().size());
            }
            // The total is known once every line is stored; the row must come first for the jobs' key.
            batches.insert(new NewBatch(
                    batchId,
                    tenant.id(),
                    batch.endpoint().path(),
                    batch.completionWindow(),
                    inputFileId,
                    batch.metadataJson(),
                    batch.webhookUrl(),
                    batch.priority(),
                    0,
                    now,
                    now.plus(batch.window()),
                    batch.webhookEvents()));
            if (batch.requests() != null) {
                batch.requests().forEach(writer::add);
            } else {
                // A bad line throws here, rolling back the batch and every line stored before it.
                inputFiles.store(batch.inputFileId(), batch.endpoint(), writer::add);
            }
            writer.flush();
            if (batch.requests() != null) {
                files.insertBatchInputFile(
                        inputFileId, tenant.id(), batchId, batchId + "_input.jsonl", writer.inputBytes(), now);
            }
            // With the lease that keeps the sweeper off the jobs until the publisher below has sent them.
            batches.setRequestTotal(batchId, writer.count(), publisher.leaseFrom(now));
            models.register(writer.models(), now);
            // Last, with the tenant locked until commit: over the quota, all of the above rolls back.
            quotas.checkQueuedJobs(tenant.id(), writer.count());
            return null;
        });
        if (earlier != null) {
            return batches.find(tenant.id(), earlier).orElseThrow(() -> ApiException.notFound("batch", earlier));
        }
        models.committed(writer.models());
        List<JobMessage> messages = writer.messages();
        publisher.publish(batchId, messages);
        metrics.submitted(messages);
        return batches.find(tenant.id(), batchId).orElseThrow();
    }

    /**
     * A new batch with the {@code failed}, {@code expired} and {@code cancelled} jobs of a finished
     * ({@code completed}, {@code expired} or {@code cancelled}) batch, same custom_ids and bodies in line
     * order, and the old batch's settings; its metadata gains {@code retry_of} when there is room for
     * another key. The old batch is left as it is.
     */
    BatchRow retry(Tenant tenant, BatchRow old, IdempotencyKey key) {
        switch (old.status()) {
            case COMPLETED, EXPIRED, CANCELLED -> {}
            default ->
                throw ApiException.conflict(
                        "batch_not_retryable",
                        "batch " + old.id() + " is " + old.status().wire()
                                + "; only a completed, expired or cancelled batch can be retried.");
        }
        retention.batchContentExpiredAt(old.id()).ifPresent(at -> {
            throw contentExpired(old.id(), at);
        });
        List<JobRow> unsuccessful = retryJobs.unsuccessfulOfBatch(old.id());
        if (unsuccessful.isEmpty()) {
            throw ApiException.conflict(
                    "nothing_to_retry", "batch " + old.id() + " has no failed, expired or cancelled job to retry.");
        }
        return resubmit(tenant, old, unsuccessful, key);
    }

    /**
     * A new batch of {@code jobs} (of batch {@code old}) with the old batch's settings, as {@link #retry}
     * makes it; also the admin API's retry of failed jobs.
     */
    BatchRow resubmit(Tenant tenant, BatchRow old, List<JobRow> jobs, IdempotencyKey key) {
        List<JobRequest> requests = new ArrayList<>(jobs.size());
        for (JobRow job : jobs) {
            requests.add(new JobRequest(job.customId(), job.url(), job.model(), job.body()));
        }
        Endpoint endpoint = Endpoint.fromPath(old.endpoint())
                .orElseThrow(() -> new IllegalStateException(
                        "batch " + old.id() + " has endpoint " + old.endpoint() + ", which Sluice does not run"));
        return create(
                tenant,
                new InlineBatch(
                        endpoint,
                        old.completionWindow(),
                        CompletionWindow.parse(old.completionWindow(), limits.maxCompletionWindow()),
                        Metadata.withRetryOf(old.metadataJson(), old.id(), limits),
                        old.webhookUrl(),
                        old.priority(),
                        null,
                        requests,
                        old.webhookEvents()),
                key);
    }

    /** 410 {@code content_expired}: the batch's files and job bodies were removed at {@code at} (retention). */
    static ApiException contentExpired(String batchId, Instant at) {
        return ApiException.gone(
                "content_expired",
                "The content of batch " + batchId + " (its files and its jobs' requests and answers) was removed at "
                        + at + ", when the retention period after its end ran out; its status, counts and usage "
                        + "remain.");
    }

    /**
     * Cancels the tenant's batch as OpenAI does: an {@code in_progress} batch becomes {@code cancelling};
     * one already cancelling or cancelled is returned unchanged; any other state is a 409.
     */
    BatchRow cancel(Tenant tenant, String batchId) {
        Instant now = clock.instant();
        transaction.executeWithoutResult(status -> {
            if (batchTransitions.tryStartCancelling(tenant.id(), batchId, now)) {
                jobTransitions.cancelQueuedOfBatch(
                        batchId, "batch " + batchId + " was cancelled before this request ran", now);
            }
        });
        BatchRow batch = batches.find(tenant.id(), batchId).orElseThrow(() -> ApiException.notFound("batch", batchId));
        return switch (batch.status()) {
            case CANCELLING, CANCELLED -> batch;
            default ->
                throw ApiException.conflict(
                        "batch_not_cancellable",
                        "batch " + batchId + " is " + batch.status().wire() + " and can no longer be cancelled.");
        };
    }
}
