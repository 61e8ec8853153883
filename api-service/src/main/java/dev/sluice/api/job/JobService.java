package dev.sluice.api.job;

import dev.sluice.api.dispatch.JobPublisher;
import dev.sluice.common.Ids;
import dev.sluice.common.JobMessage;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.job.JobRow;
import dev.sluice.db.job.NewJob;
import dev.sluice.db.model.ModelRepository;
import dev.sluice.db.tenant.Tenant;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** Stores a single job (a batch of one, without a batch) and publishes it once stored. */
@Service
class JobService {

    private final JobRepository jobs;
    private final ModelRepository models;
    private final JobPublisher publisher;
    private final TransactionTemplate transaction;
    private final Clock clock;

    JobService(JobRepository jobs, ModelRepository models, JobPublisher publisher, TransactionTemplate transaction,
            Clock clock) {
        this.jobs = jobs;
        this.models = models;
        this.publisher = publisher;
        this.transaction = transaction;
        this.clock = clock;
    }

    JobRow create(Tenant tenant, SingleJobReader.SingleJob job) {
        String jobId = Ids.job();
        Instant now = clock.instant();
        JobRequest request = job.request();
        NewJob newJob = new NewJob(jobId, tenant.id(), null, null, request.customId(), job.endpoint().path(),
                request.model(), request.body(), job.priority(), job.webhookUrl());
        transaction.executeWithoutResult(status -> {
            jobs.insertAll(List.of(newJob), now);
            models.register(List.of(request.model()), now);
        });
        publisher.publish(List.of(new JobMessage(jobId, request.model(), job.priority())));
        return jobs.find(tenant.id(), jobId).orElseThrow();
    }
}
