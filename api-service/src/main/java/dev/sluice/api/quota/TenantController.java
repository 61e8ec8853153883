package dev.sluice.api.quota;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.JsonBodies;
import dev.sluice.api.web.ListPage;
import dev.sluice.api.web.PageQuery;
import dev.sluice.db.tenant.TenantQuotaRepository;
import dev.sluice.db.tenant.TenantUsage;
import dev.sluice.db.tenant.TenantUsageRepository;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /admin/tenants}: every tenant with its weight and, per quota, the limit in force (default or override)
 * and its current use; {@code PATCH /admin/tenants/{id}} sets the weight and quota overrides (docs/tenants.md).
 */
@RestController
@RequestMapping("/admin/tenants")
@Tag(name = "Admin")
class TenantController {

    private final TenantQuotaRepository tenants;
    private final TenantUsageRepository usage;
    private final ApiProperties.Quota defaults;

    TenantController(TenantQuotaRepository tenants, TenantUsageRepository usage, ApiProperties properties) {
        this.tenants = tenants;
        this.usage = usage;
        this.defaults = properties.quota();
    }

    @Operation(summary = "List the tenants with their weight, quotas and current use")
    @GetMapping
    ListPage<TenantViews.TenantView> list() {
        Map<String, TenantUsage> used = usage.all();
        return ListPage.all(
                tenants.list().stream()
                        .map(tenant -> TenantViews.TenantView.of(
                                tenant, used.getOrDefault(tenant.id(), TenantUsage.NONE), defaults))
                        .toList(),
                TenantViews.TenantView::id);
    }

    @Operation(summary = "Get a tenant with its weight, quotas and current use")
    @GetMapping("/{id}")
    TenantViews.TenantView get(@PathVariable String id) {
        return view(id);
    }

    @Operation(
            summary = "Set a tenant's weight and quota overrides (only the fields given; null: back to the default)",
            requestBody =
                    @RequestBody(
                            required = true,
                            content = @Content(schema = @Schema(implementation = TenantSchemas.ChangeTenant.class))))
    @PatchMapping(path = "/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
    TenantViews.TenantView change(@PathVariable String id, HttpServletRequest request) {
        if (!PageQuery.plausibleId(id)) {
            throw ApiException.notFound("tenant", id);
        }
        if (!tenants.change(id, TenantChange.read(JsonBodies.read(request)))) {
            throw ApiException.notFound("tenant", id);
        }
        return view(id);
    }

    private TenantViews.TenantView view(String id) {
        if (!PageQuery.plausibleId(id)) {
            throw ApiException.notFound("tenant", id);
        }
        return TenantViews.TenantView.of(
                tenants.find(id).orElseThrow(() -> ApiException.notFound("tenant", id)), usage.of(id), defaults);
    }
}
