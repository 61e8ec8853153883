package dev.sluice.api.job;

import dev.sluice.api.dispatch.JobPublisher;
import dev.sluice.api.idempotency.IdempotencyKey;
import dev.sluice.api.idempotency.IdempotencyKeys;
import dev.sluice.api.metrics.SubmissionMetrics;
import dev.sluice.api.model.ModelRegistry;
import dev.sluice.api.model.StoredModels;
import dev.sluice.api.quota.QuotaLeases;
import dev.sluice.api.quota.TenantQuotas;
import dev.sluice.api.tokens.TokenEstimator;
import dev.sluice.api.tokens.TokenLimits;
import dev.sluice.api.web.ApiException;
import dev.sluice.common.Endpoint;
import dev.sluice.common.Ids;
import dev.sluice.common.JobMessage;
import dev.sluice.common.JobStatus;
import dev.sluice.common.TokenEstimate;
import dev.sluice.db.Pipelined;
import dev.sluice.db.idempotency.IdempotencyRepository.ObjectType;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.job.JobRow;
import dev.sluice.db.job.JobTransitions;
import dev.sluice.db.job.NewJob;
import dev.sluice.db.lane.LaneKey;
import dev.sluice.db.lane.LaneRepository;
import dev.sluice.db.tenant.Tenant;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stores a single job (a batch of one, without a batch) and publishes it once stored, and cancels a
 * queued job, single or of a batch. The synchronous facade creates and cancels its jobs through here too. Each new
 * job counts against the tenant's queued-jobs quota, checked in its storing transaction ({@link TenantQuotas}).
 */
@Service
public class JobService {

    private final JobRepository jobs;
    private final StoredModels models;
    private final IdempotencyKeys idempotency;
    private final JobPublisher publisher;
    private final TransactionTemplate transaction;
    private final Clock clock;
    private final SubmissionMetrics metrics;
    private final JobTransitions transitions;
    private final ModelRegistry registry;
    private final TenantQuotas quotas;
    private final TokenLimits tokenLimits;
    private final ApplicationEventPublisher events;
    private final LaneRepository lanes;

    JobService(
            JobRepository jobs,
            StoredModels models,
            IdempotencyKeys idempotency,
            JobPublisher publisher,
            TransactionTemplate transaction,
            Clock clock,
            SubmissionMetrics metrics,
            JobTransitions transitions,
            ModelRegistry registry,
            TenantQuotas quotas,
            TokenLimits tokenLimits,
            ApplicationEventPublisher events,
            LaneRepository lanes) {
        this.events = events;
        this.lanes = lanes;
        this.registry = registry;
        this.quotas = quotas;
        this.tokenLimits = tokenLimits;
        this.transitions = transitions;
        this.jobs = jobs;
        this.models = models;
        this.idempotency = idempotency;
        this.publisher = publisher;
        this.transaction = transaction;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * Stores the job and publishes it once committed; with a key that already created a job for the
     * same request, returns that job instead and stores and publishes nothing.
     */
    JobRow create(Tenant tenant, SingleJobReader.SingleJob job, IdempotencyKey key) {
        String jobId = Ids.job();
        Instant now = clock.instant();
        JobRequest request = job.request();
        registry.require(request.model(), "body.model", "");
        tokenLimits.check(request.model(), request.tokens(), "body", "");
        NewJob newJob = new NewJob(
                jobId,
                tenant.id(),
                null,
                null,
                request.customId(),
                job.endpoint().path(),
                request.model(),
                request.body(),
                job.priority(),
                job.webhookUrl(),
                job.webhookEvents(),
                request.tokens());
        JobMessage message = new JobMessage(jobId, request.model(), tenant.id(), job.priority(), request.tokens());
        boolean ahead = publisher.ready(message);
        String earlier = transaction.execute(status -> {
            Optional<String> held = idempotency.claim(tenant.id(), key, ObjectType.JOB, jobId, now);
            if (held.isPresent()) {
                status.setRollbackOnly();
                return held.get();
            }
            jobs.insert(newJob, now);
            models.register(List.of(request.model()), now);
            quotas.checkQueuedJobs(tenant.id(), 1);
            if (ahead) {
                lanes.enterAhead(new LaneKey(message.model(), message.tenantId()));
            }
            return null;
        });
        if (earlier != null) {
            return jobs.find(tenant.id(), earlier).orElseThrow(() -> ApiException.notFound("job", earlier));
        }
        models.committed(List.of(request.model()));
        publish(message, ahead);
        metrics.submitted(List.of(message));
        return jobs.find(tenant.id(), jobId).orElseThrow();
    }

    /**
     * Stores a single job without idempotency key under {@code jobId} (from {@link Ids#job()}) and publishes
     * it once committed: the synchronous facade's path, which must know the id before the job can finish. The
     * facade has refused an unknown model already; checking again here costs a set lookup. The caller waits for
     * the job holding {@code waiting}, which takes its place in the same transaction unless it holds one already:
     * one transaction of one round trip, its commit included: the job, the tenant's lock with one count that refuses
     * over either quota, the lease, the entry of the job's lane ahead of its message ({@link
     * LaneRepository#enteringAhead}), which rings the workers at the commit, and the commit.
     */
    public void submit(
            Tenant tenant,
            String jobId,
            Endpoint endpoint,
            String model,
            String body,
            int priority,
            QuotaLeases.Lease waiting) {
        registry.require(model, "model", "");
        TokenEstimate tokens = TokenEstimator.estimate(model, body);
        tokenLimits.check(model, tokens, "messages", "");
        Instant now = clock.instant();
        NewJob newJob = new NewJob(
                jobId, tenant.id(), null, null, null, endpoint.path(), model, body, priority, null, null, tokens);
        JobMessage message = new JobMessage(jobId, model, tenant.id(), priority, tokens);
        boolean ahead = publisher.ready(message);
        Pipelined.Statement enteringAhead =
                ahead ? LaneRepository.enteringAhead(new LaneKey(model, tenant.id())) : Pipelined.Statement.NONE;
        transaction.executeWithoutResult(status -> {
            models.register(List.of(model), now);
            // Nothing follows in this transaction: its one round trip commits it.
            quotas.insertChecked(
                    tenant.id(),
                    jobId,
                    JobRepository.insertion(newJob, now),
                    1,
                    waiting,
                    enteringAhead,
                    Pipelined.Statement.COMMIT);
        });
        models.committed(List.of(model));
        publish(message, ahead);
    }

    private void publish(JobMessage message, boolean enteredAhead) {
        if (enteredAhead) {
            publisher.publishEnteredAhead(message);
        } else {
            publisher.publish(List.of(message));
        }
    }

    /**
     * Cancels the tenant's job while it is queued; a job already cancelled is returned unchanged, any other
     * is a 409. The worker that later receives its message finds nothing to claim and drops it; if the job
     * was its batch's last unfinished one, the workers' finalisation sweep completes the batch.
     */
    public JobRow cancel(Tenant tenant, String jobId) {
        boolean cancelled = transitions.cancelQueued(
                tenant.id(), jobId, "job " + jobId + " was cancelled before it ran", clock.instant());
        JobRow job = jobs.find(tenant.id(), jobId).orElseThrow(() -> ApiException.notFound("job", jobId));
        if (cancelled && job.batchId() != null) {
            events.publishEvent(new BatchJobCancelled(tenant.id(), job.batchId()));
        }
        if (cancelled || job.status() == JobStatus.CANCELLED) {
            return job;
        }
        throw ApiException.conflict(
                "job_not_cancellable",
                job.status() == JobStatus.RUNNING
                        ? "job " + jobId + " is running and will finish."
                        : "job " + jobId + " is " + job.status().wire() + " and can no longer be cancelled.");
    }

    /** A job of the tenant's batch was cancelled on this replica (published after its transaction committed). */
    public record BatchJobCancelled(String tenantId, String batchId) {}
}
