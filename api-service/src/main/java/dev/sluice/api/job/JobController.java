package dev.sluice.api.job;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.idempotency.IdempotencyKey;
import dev.sluice.api.idempotency.IdempotentOperation;
import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.ErrorResponse;
import dev.sluice.api.web.JsonBodies;
import dev.sluice.api.web.ListPage;
import dev.sluice.api.web.PageQuery;
import dev.sluice.api.webhook.WebhookUrls;
import dev.sluice.common.JobStatus;
import dev.sluice.db.batch.BatchRepository;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.job.JobRow;
import dev.sluice.db.tenant.Tenant;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Single jobs ({@code POST /v1/jobs}, {@code GET /v1/jobs/{id}}), cancelling any job
 * ({@code POST /v1/jobs/{id}/cancel}), and the jobs of a batch
 * ({@code GET /v1/batches/{id}/jobs}), always scoped to the caller's tenant. {@code POST /v1/jobs}
 * honours {@code Idempotency-Key}: a repeat answers 202 with the job the first request created.
 */
@RestController
@Tag(name = "Jobs", description = "Single jobs, and the jobs of a batch")
class JobController {

    private final JobService service;
    private final JobRepository jobs;
    private final BatchRepository batches;
    private final int maxCustomIdLength;
    private final WebhookUrls webhookUrls;

    JobController(
            JobService service,
            JobRepository jobs,
            BatchRepository batches,
            ApiProperties properties,
            WebhookUrls webhookUrls) {
        this.webhookUrls = webhookUrls;
        this.service = service;
        this.jobs = jobs;
        this.batches = batches;
        this.maxCustomIdLength = properties.input().maxCustomIdLength();
    }

    @IdempotentOperation(
            summary = "Submit one request as a job",
            requestBody =
                    @RequestBody(
                            required = true,
                            content = @Content(schema = @Schema(implementation = JobSchemas.CreateJob.class))))
    @ErrorResponse(status = 429, description = "The job would exceed the tenant's queued_jobs quota; nothing stored")
    @PostMapping(path = "/v1/jobs", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.ACCEPTED)
    JobView create(Tenant tenant, HttpServletRequest request) {
        String key = IdempotencyKey.header(request);
        byte[] body = JsonBodies.read(request);
        SingleJobReader.SingleJob job = SingleJobReader.read(body, maxCustomIdLength);
        webhookUrls.check(job.webhookUrl(), "webhook_url");
        return JobView.of(service.create(tenant, job, IdempotencyKey.of(key, body)));
    }

    @Operation(summary = "Get a job")
    @GetMapping("/v1/jobs/{id}")
    JobView get(Tenant tenant, @PathVariable String id) {
        return JobView.of(find(tenant, id));
    }

    /** Cancels a queued job: 200 with the job, now {@code cancelled}; 409 once it is running or finished otherwise. */
    @Operation(summary = "Cancel a queued job")
    @ErrorResponse(status = 409, description = "The job is running or finished")
    @PostMapping("/v1/jobs/{id}/cancel")
    JobView cancel(Tenant tenant, @PathVariable String id) {
        return JobView.of(service.cancel(tenant, find(tenant, id).id()));
    }

    private JobRow find(Tenant tenant, String id) {
        if (!PageQuery.plausibleId(id)) {
            throw ApiException.notFound("job", id);
        }
        return jobs.find(tenant.id(), id).orElseThrow(() -> ApiException.notFound("job", id));
    }

    /**
     * A page of the batch's jobs in line order, optionally of one status. An {@code after} that is
     * not a job of this batch gives an empty page, as for batches.
     */
    @Operation(summary = "List a batch's jobs in line order", tags = "Batches")
    @GetMapping("/v1/batches/{batchId}/jobs")
    ListPage<JobView> ofBatch(
            Tenant tenant,
            @PathVariable String batchId,
            @RequestParam(required = false) String status,
            @RequestParam(required = false) String after,
            @RequestParam(required = false) String limit) {
        if (!PageQuery.plausibleId(batchId)
                || batches.find(tenant.id(), batchId).isEmpty()) {
            throw ApiException.notFound("batch", batchId);
        }
        PageQuery page = PageQuery.parse(after, limit);
        String wireStatus =
                status == null || status.isEmpty() ? null : status(status).wire();
        if (page.after() != null
                && !jobs.find(tenant.id(), page.after())
                        .map(job -> batchId.equals(job.batchId()))
                        .orElse(false)) {
            return ListPage.of(List.<JobRow>of(), page.limit(), JobView::of, JobRow::id);
        }
        return ListPage.of(
                jobs.pageByBatch(batchId, wireStatus, page.after(), page.limit() + 1),
                page.limit(),
                JobView::of,
                JobRow::id);
    }

    private static JobStatus status(String status) {
        try {
            return JobStatus.fromWire(status);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(
                    "status",
                    "invalid_status",
                    "status must be one of queued, running, " + "succeeded, failed, cancelled, expired; got '" + status
                            + "'.");
        }
    }
}
