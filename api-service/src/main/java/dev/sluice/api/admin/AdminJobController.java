package dev.sluice.api.admin;

import dev.sluice.api.job.JobFields;
import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.ErrorResponse;
import dev.sluice.api.web.JsonBodies;
import dev.sluice.api.web.JsonInput;
import dev.sluice.api.web.JsonText;
import dev.sluice.api.web.ListPage;
import dev.sluice.api.web.PageQuery;
import dev.sluice.common.JobStatus;
import dev.sluice.db.job.AdminJob;
import dev.sluice.db.job.AdminJobRepository;
import dev.sluice.db.job.JobFilter;
import dev.sluice.db.job.JobRow;
import dev.sluice.db.ratelimit.RateLimitEventEntityRepository;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /admin/jobs?status=&model=&batch_id=&tenant=&after=&limit=}: every tenant's jobs, newest
 * first, without bodies; {@code POST /admin/jobs/{id}/retry} and {@code POST /admin/jobs/retry} (a JSON
 * filter) retry failed jobs as new jobs ({@link JobRetries}).
 */
@RestController
@Tag(name = "Admin", description = "Operators: keys, limits, pausing, queues, jobs, usage")
class AdminJobController {

    private static final Set<String> FILTER_FIELDS = Set.of("status", "model", "batch_id", "tenant");

    /** The most 429s one job's page lists. */
    private static final int MAX_EVENTS = 100;

    private final AdminJobRepository jobs;
    private final JobRetries retries;
    private final RateLimitEventEntityRepository rateLimitEvents;

    AdminJobController(AdminJobRepository jobs, JobRetries retries, RateLimitEventEntityRepository rateLimitEvents) {
        this.jobs = jobs;
        this.retries = retries;
        this.rateLimitEvents = rateLimitEvents;
    }

    @Operation(summary = "List every tenant's jobs, newest first")
    @GetMapping("/admin/jobs")
    ListPage<AdminJobViews.Job> list(
            @RequestParam(required = false) String status,
            @RequestParam(required = false) String model,
            @RequestParam(name = "batch_id", required = false) String batchId,
            @RequestParam(required = false) String tenant,
            @RequestParam(required = false) String after,
            @RequestParam(required = false) String limit) {
        PageQuery page = PageQuery.parse(after, limit);
        JobFilter filter = filter(status, model, batchId, tenant);
        return ListPage.of(
                jobs.page(filter, page.after(), page.limit() + 1), page.limit(), AdminJobViews.Job::of, AdminJob::id);
    }

    /** {@code GET /admin/jobs/{id}}: one job of any tenant in full, bodies included (the dashboard's job page). */
    @Operation(summary = "One job of any tenant in full, bodies included")
    @GetMapping("/admin/jobs/{id}")
    AdminJobViews.Detail get(@PathVariable String id) {
        JobRow row = (PageQuery.plausibleId(id) ? jobs.one(id) : java.util.Optional.<JobRow>empty())
                .orElseThrow(() -> ApiException.notFound("job", id));
        AdminJob job = new AdminJob(
                row.id(),
                row.tenantId(),
                row.batchId(),
                row.lineNo(),
                row.customId(),
                row.url(),
                row.model(),
                row.priority(),
                row.status(),
                row.attempts(),
                row.createdAt(),
                row.startedAt(),
                row.completedAt(),
                row.responseStatus(),
                row.errorCode(),
                row.errorMessage(),
                row.promptTokens(),
                row.completionTokens(),
                row.totalTokens(),
                row.latencyMs());
        AdminJobViews.Response response = row.responseStatus() == null
                ? null
                : new AdminJobViews.Response(row.responseStatus(), JsonText.of(row.responseBody()));
        return new AdminJobViews.Detail(
                AdminJobViews.Job.of(job),
                JsonText.of(row.body()),
                response,
                row.cached(),
                jobs.retriedAs(id).filter(as -> !as.isEmpty()).orElse(null),
                rateLimitEvents.ofJob(row.model(), row.id(), MAX_EVENTS).stream()
                        .map(RateLimitEventViews.Event::of)
                        .toList());
    }

    @Operation(summary = "Retry one failed job as a new one")
    @ErrorResponse(status = 409, description = "The job is not failed, or was already retried")
    @PostMapping("/admin/jobs/{id}/retry")
    AdminJobViews.Retried retryOne(@PathVariable String id) {
        return retries.retryOne(id);
    }

    /**
     * Body: {@code {status?, model?, batch_id?, tenant?, limit?}}; {@code status}, when given, must be
     * {@code failed}; {@code limit} (1 to 1,000, default 1,000) is how many jobs this call retries at most.
     */
    @Operation(
            summary = "Retry the failed jobs matching a filter",
            requestBody =
                    @RequestBody(
                            required = true,
                            content = @Content(schema = @Schema(implementation = AdminSchemas.RetryFilter.class))))
    @PostMapping(path = "/admin/jobs/retry", consumes = MediaType.APPLICATION_JSON_VALUE)
    AdminJobViews.Retried retryMatching(HttpServletRequest request) {
        Map<String, String> fields = new HashMap<>();
        Set<String> seen = new HashSet<>();
        Integer limit = null;
        try (JsonInput json = JsonInput.objectOf(JsonBodies.read(request))) {
            for (String field = json.nextField(seen, null); field != null; field = json.nextField(seen, null)) {
                if (field.equals("limit")) {
                    limit = json.integerOrNull(field);
                    continue;
                }
                if (!FILTER_FIELDS.contains(field)) {
                    throw ApiException.invalid(
                            field,
                            "unknown_parameter",
                            "Unrecognized parameter '" + field
                                    + "'; a retry filter takes status, model, batch_id, tenant and limit.");
                }
                fields.put(field, json.stringOrNull(field));
            }
            json.end();
        }
        JobFilter filter =
                filter(fields.get("status"), fields.get("model"), fields.get("batch_id"), fields.get("tenant"));
        if (filter.status() != null && filter.status() != JobStatus.FAILED) {
            throw ApiException.invalid(
                    "status",
                    "invalid_status",
                    "Only failed jobs are retried; status must be " + "'failed' or absent.");
        }
        if (limit != null && (limit < 1 || limit > JobRetries.MAX_PER_CALL)) {
            throw ApiException.invalid(
                    "limit", "invalid_limit", "limit must be between 1 and " + JobRetries.MAX_PER_CALL + ".");
        }
        return retries.retryMatching(filter, limit == null ? JobRetries.MAX_PER_CALL : limit);
    }

    private static JobFilter filter(String status, String model, String batchId, String tenant) {
        JobStatus parsed = null;
        if (blankToNull(status) != null) {
            try {
                parsed = JobStatus.fromWire(status);
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid(
                        "status",
                        "invalid_status",
                        "status must be one of queued, running, succeeded, failed, cancelled, expired.");
            }
        }
        if (blankToNull(model) != null) {
            // Also keeps text PostgreSQL cannot bind (U+0000) away from the query.
            JobFields.checkModel(model, "model", "");
        }
        return new JobFilter(parsed, blankToNull(model), id(batchId, "batch_id"), id(tenant, "tenant"));
    }

    private static String id(String value, String param) {
        if (blankToNull(value) == null) {
            return null;
        }
        if (!PageQuery.plausibleId(value)) {
            throw ApiException.invalid(
                    param, "invalid_" + param, param + " must be an id such as those the API returns.");
        }
        return value;
    }

    private static String blankToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
