package dev.sluice.api.batch;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.idempotency.IdempotencyKey;
import dev.sluice.api.idempotency.IdempotentOperation;
import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.ErrorResponse;
import dev.sluice.api.web.JsonBodies;
import dev.sluice.api.web.ListPage;
import dev.sluice.api.web.PageQuery;
import dev.sluice.api.webhook.WebhookUrls;
import dev.sluice.db.batch.BatchRepository;
import dev.sluice.db.batch.BatchRow;
import dev.sluice.db.file.FileRepository;
import dev.sluice.db.file.ResultKind;
import dev.sluice.db.retention.RetentionRepository;
import dev.sluice.db.tenant.Tenant;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /v1/batches}: OpenAI's Batch API, from an uploaded input file or with inline submission, plus {@code /results}, which
 * streams whatever has finished so far in the output file's line format. Another tenant's batch
 * answers exactly as a batch that does not exist. {@code POST /{id}/retry} (extension) resubmits a
 * finished batch's unsuccessful jobs as a new batch. Both POSTs that create a batch honour
 * {@code Idempotency-Key}.
 */
@RestController
@RequestMapping("/v1/batches")
@Tag(name = "Batches", description = "OpenAI's Batch API, with inline submission and live results")
class BatchController {

    /** Newline-delimited JSON, one result object per line. */
    static final MediaType NDJSON = MediaType.parseMediaType("application/x-ndjson");

    private final BatchService service;
    private final BatchViews views;
    private final BatchRepository batches;
    private final FileRepository files;
    private final BatchReader reader;
    private final InputFileLines inputFiles;
    private final WebhookUrls webhookUrls;
    private final RetentionRepository retention;

    BatchController(
            BatchService service,
            BatchViews views,
            BatchRepository batches,
            FileRepository files,
            InputFileLines inputFiles,
            ApiProperties properties,
            WebhookUrls webhookUrls,
            RequestChecks checks,
            RetentionRepository retention) {
        this.retention = retention;
        this.webhookUrls = webhookUrls;
        this.service = service;
        this.views = views;
        this.batches = batches;
        this.files = files;
        this.inputFiles = inputFiles;
        this.reader = new BatchReader(properties.input(), checks);
    }

    @IdempotentOperation(
            summary = "Create a batch",
            requestBody =
                    @RequestBody(
                            required = true,
                            content = @Content(schema = @Schema(implementation = BatchSchemas.CreateBatch.class))))
    @ErrorResponse(status = 410, description = "The input file's content was removed after the retention period")
    @ErrorResponse(status = 429, description = "The batch would exceed the tenant's queued_jobs quota; nothing stored")
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    BatchView create(Tenant tenant, HttpServletRequest request) {
        Submission submission = read(tenant, request);
        return views.changed(service.create(tenant, submission.batch(), submission.key()));
    }

    /**
     * Retries a finished batch's unsuccessful jobs as a new batch (extension): 200 with the new batch.
     * Its Idempotency-Key request hash is that of the path, as the request has no body.
     */
    @Operation(
            summary = "Retry a finished batch's failed, expired and cancelled jobs as a new batch",
            parameters =
                    @Parameter(
                            in = ParameterIn.HEADER,
                            name = "Idempotency-Key",
                            description = "The same key and body within 24 h return the first object"))
    @ErrorResponse(status = 409, description = "Not retryable: not finished, or nothing to retry")
    @ErrorResponse(status = 410, description = "The batch's content was removed after the retention period")
    @ErrorResponse(status = 429, description = "The new batch would exceed the tenant's queued_jobs quota")
    @PostMapping("/{id}/retry")
    BatchView retry(Tenant tenant, @PathVariable String id, HttpServletRequest request) {
        String key = IdempotencyKey.header(request);
        BatchRow old = find(tenant, id);
        return views.changed(service.retry(
                tenant,
                old,
                IdempotencyKey.of(key, ("POST /v1/batches/" + old.id() + "/retry").getBytes(StandardCharsets.UTF_8))));
    }

    /** A checked batch and its Idempotency-Key, if any. */
    private record Submission(InlineBatch batch, IdempotencyKey key) {}

    /**
     * Checks the header, then reads, hashes and parses the body. A method of its own so that no local
     * keeps the raw body alive while the jobs are stored.
     */
    private Submission read(Tenant tenant, HttpServletRequest request) {
        String key = IdempotencyKey.header(request);
        byte[] body = JsonBodies.read(request);
        InlineBatch batch = reader.read(body, fileId -> inputFiles.check(tenant, fileId));
        webhookUrls.check(batch.webhookUrl(), "webhook_url");
        return new Submission(batch, IdempotencyKey.of(key, body));
    }

    @Operation(summary = "Get a batch")
    @GetMapping("/{id}")
    BatchView get(Tenant tenant, @PathVariable String id) {
        if (!PageQuery.plausibleId(id)) {
            throw ApiException.notFound("batch", id);
        }
        return views.poll(tenant.id(), id).orElseThrow(() -> ApiException.notFound("batch", id));
    }

    @Operation(summary = "List the tenant's batches, newest first")
    @GetMapping
    ListPage<BatchView> list(
            Tenant tenant, @RequestParam(required = false) String after, @RequestParam(required = false) String limit) {
        PageQuery page = PageQuery.parse(after, limit);
        return ListPage.of(
                batches.page(tenant.id(), page.after(), page.limit() + 1), page.limit(), views::of, BatchRow::id);
    }

    /** OpenAI's cancel: 200 with the batch, now {@code cancelling} (or already cancelling or cancelled). */
    @Operation(summary = "Cancel a batch")
    @ErrorResponse(status = 409, description = "The batch is finalizing or finished")
    @PostMapping("/{id}/cancel")
    BatchView cancel(Tenant tenant, @PathVariable String id) {
        return views.changed(service.cancel(tenant, find(tenant, id).id()));
    }

    /**
     * Streams to the client on the request's own (virtual) thread, one page of jobs per query, with no
     * connection held while the client reads. Not a {@code StreamingResponseBody}: on a client disconnect
     * Spring interrupts that task, which would close the database socket of a query in flight.
     */
    @Operation(summary = "Stream every finished job so far, one output-file line each")
    @ApiResponse(
            responseCode = "200",
            description = "One OpenAI batch output line per finished job, in line order",
            content = @Content(mediaType = "application/x-ndjson", schema = @Schema(type = "string")))
    @ErrorResponse(status = 410, description = "The batch's content was removed after the retention period")
    @GetMapping("/{id}/results")
    void results(Tenant tenant, @PathVariable String id, HttpServletResponse response) throws IOException {
        BatchRow batch = find(tenant, id);
        retention.batchContentExpiredAt(batch.id()).ifPresent(at -> {
            throw BatchService.contentExpired(batch.id(), at);
        });
        response.setContentType(NDJSON.toString());
        files.writeResults(batch.id(), ResultKind.ALL_FINISHED, response.getOutputStream());
    }

    private BatchRow find(Tenant tenant, String id) {
        if (!PageQuery.plausibleId(id)) {
            throw ApiException.notFound("batch", id);
        }
        return batches.find(tenant.id(), id).orElseThrow(() -> ApiException.notFound("batch", id));
    }
}
