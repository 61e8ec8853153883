package dev.sluice.api.quota;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.NOT_REQUIRED;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.annotation.Nullable;

/** The body of {@code PATCH /admin/tenants/{id}} as the API description shows it; read by {@link TenantChange}. */
final class TenantSchemas {

    private TenantSchemas() {}

    /** Only the fields present change. */
    @Schema(name = "ChangeTenantRequest", additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
    record ChangeTenant(
            @Schema(requiredMode = NOT_REQUIRED, minimum = "1", maximum = "10000", description = "Null: back to 1")
            @Nullable
            Integer weight,

            @Schema(requiredMode = NOT_REQUIRED) QuotaOverrides quotas) {}

    /** Each present quota is set; null returns it to the default (SLUICE_QUOTA_*). */
    @Schema(name = "TenantQuotaOverrides", additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
    record QuotaOverrides(
            @Schema(requiredMode = NOT_REQUIRED, minimum = "0") @Nullable
            Long queuedJobs,

            @Schema(requiredMode = NOT_REQUIRED, minimum = "0") @Nullable
            Long storedBytes,

            @Schema(requiredMode = NOT_REQUIRED, minimum = "0") @Nullable
            Long eventStreams,

            @Schema(requiredMode = NOT_REQUIRED, minimum = "0") @Nullable
            Long waitingFacadeCalls) {}
}
