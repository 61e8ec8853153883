package dev.sluice.api.batch;

import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.ListPage;
import dev.sluice.api.web.PageQuery;
import dev.sluice.db.batch.AdminBatchRepository;
import dev.sluice.db.batch.BatchRepository;
import dev.sluice.db.batch.BatchRow;
import dev.sluice.db.batch.BatchSearch;
import dev.sluice.db.tenant.Tenant;
import dev.sluice.db.tenant.TenantEntityRepository;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /admin/batches}: every tenant's batches for the operator, newest first, searched by {@code id},
 * {@code tenant} and {@code metadata} ({@code key=value} for an exact pair, {@code key=} for a key, or any text
 * found in a value); {@code GET /admin/batches/{id}} and {@code POST /admin/batches/{id}/cancel}, which cancels
 * on the tenant's behalf exactly as the tenant's own cancel does. Each row is the OpenAI batch object with its
 * tenant beside it.
 */
@Tag(name = "Admin")
@RestController
@RequestMapping("/admin/batches")
class AdminBatchController {

    private final AdminBatchRepository search;
    private final BatchRepository batches;
    private final TenantEntityRepository tenants;
    private final BatchService service;
    private final BatchViews views;

    AdminBatchController(
            AdminBatchRepository search,
            BatchRepository batches,
            TenantEntityRepository tenants,
            BatchService service,
            BatchViews views) {
        this.search = search;
        this.batches = batches;
        this.tenants = tenants;
        this.service = service;
        this.views = views;
    }

    /**
     * A batch as the operator sees it.
     *
     * @param object   always {@code admin.batch}
     * @param tenantId the tenant that submitted it
     * @param batch    the batch object the tenant sees
     */
    record AdminBatch(String object, String tenantId, BatchView batch) {}

    @Operation(summary = "Search every tenant's batches by id, tenant or metadata")
    @GetMapping
    ListPage<AdminBatch> list(
            @RequestParam(required = false) String id,
            @RequestParam(required = false) String tenant,
            @RequestParam(required = false) String metadata,
            @RequestParam(required = false) String after,
            @RequestParam(required = false) String limit) {
        PageQuery page = PageQuery.parse(after, limit);
        BatchSearch filter = new BatchSearch(
                PageQuery.optionalId(id, "id"),
                PageQuery.optionalId(tenant, "tenant"),
                metadataKey(metadata),
                metadataValue(metadata));
        return ListPage.of(
                search.search(filter, page.after(), page.limit() + 1), page.limit(), this::view, BatchRow::id);
    }

    @Operation(summary = "One batch of any tenant")
    @GetMapping("/{id}")
    AdminBatch get(@PathVariable String id) {
        return view(find(id));
    }

    @Operation(summary = "Cancel a batch of any tenant")
    @PostMapping("/{id}/cancel")
    AdminBatch cancel(@PathVariable String id) {
        BatchRow batch = find(id);
        Tenant tenant = tenants.findById(batch.tenantId()).orElseThrow(() -> ApiException.notFound("batch", id));
        BatchRow cancelled = service.cancel(tenant, batch.id());
        return new AdminBatch("admin.batch", cancelled.tenantId(), views.changed(cancelled));
    }

    private AdminBatch view(BatchRow row) {
        return new AdminBatch("admin.batch", row.tenantId(), views.of(row));
    }

    private BatchRow find(String id) {
        if (!PageQuery.plausibleId(id)) {
            throw ApiException.notFound("batch", id);
        }
        return batches.find(id).orElseThrow(() -> ApiException.notFound("batch", id));
    }

    /** {@code key=value} or {@code key=} name a key; text without {@code =} is searched for in values. */
    private static String metadataKey(String metadata) {
        String text = blankToNull(metadata);
        if (text == null || text.indexOf('=') < 0) {
            return null;
        }
        return checked(blankToNull(text.substring(0, text.indexOf('='))));
    }

    private static String metadataValue(String metadata) {
        String text = blankToNull(metadata);
        if (text == null) {
            return null;
        }
        return checked(blankToNull(text.indexOf('=') < 0 ? text : text.substring(text.indexOf('=') + 1)));
    }

    private static String checked(String text) {
        // PostgreSQL cannot bind U+0000 in text; and nothing stored is longer than a metadata value may be.
        if (text != null && (text.indexOf('\u0000') >= 0 || text.length() > 1024)) {
            throw ApiException.invalid(
                    "metadata",
                    "invalid_metadata",
                    "metadata must be key=value, key= or text of at most 1024 characters without NUL.");
        }
        return text;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
