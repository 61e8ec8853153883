package dev.sluice.api.quota;

import dev.sluice.api.ApiProperties;
import dev.sluice.db.tenant.TenantSettings;
import dev.sluice.db.tenant.TenantUsage;
import io.swagger.v3.oas.annotations.media.Schema;

/** The tenant object of {@code /admin/tenants}. */
final class TenantViews {

    private TenantViews() {}

    /**
     * A tenant with its weight and, per quota, the limit in force, where it comes from and what is used now.
     *
     * @param id        {@code tenant_...}
     * @param object    always {@code tenant}
     * @param name      the name given with its first API key
     * @param createdAt unix seconds
     * @param weight    its share of a contended model (fair share by weight is being built; stored now)
     * @param quotas    each quota
     */
    @Schema(name = "Tenant")
    record TenantView(String id, String object, String name, long createdAt, int weight, Quotas quotas) {

        static TenantView of(TenantSettings tenant, TenantUsage usage, ApiProperties.Quota defaults) {
            return new TenantView(
                    tenant.id(),
                    "tenant",
                    tenant.name(),
                    tenant.createdAt().getEpochSecond(),
                    tenant.weight(),
                    new Quotas(
                            QuotaView.of(Quota.QUEUED_JOBS, tenant, usage, defaults),
                            QuotaView.of(Quota.STORED_BYTES, tenant, usage, defaults),
                            QuotaView.of(Quota.EVENT_STREAMS, tenant, usage, defaults),
                            QuotaView.of(Quota.WAITING_FACADE_CALLS, tenant, usage, defaults)));
        }
    }

    /**
     * The tenant's quotas.
     *
     * @param queuedJobs         jobs not yet finished, of batches, single jobs and facade calls
     * @param storedBytes        bytes of uploaded files still stored
     * @param eventStreams       open {@code GET /v1/batches/{id}/events} streams
     * @param waitingFacadeCalls synchronous facade calls in progress
     */
    @Schema(name = "TenantQuotas")
    record Quotas(QuotaView queuedJobs, QuotaView storedBytes, QuotaView eventStreams, QuotaView waitingFacadeCalls) {}

    /**
     * One quota of a tenant.
     *
     * @param limit  the limit in force
     * @param source {@code default} (the SLUICE_QUOTA_* setting) or {@code override} (set for this tenant)
     * @param used   what the tenant holds now
     */
    @Schema(name = "TenantQuota")
    record QuotaView(
            long limit,

            @Schema(allowableValues = {"default", "override"})
            String source,

            long used) {

        static QuotaView of(Quota quota, TenantSettings tenant, TenantUsage usage, ApiProperties.Quota defaults) {
            return new QuotaView(
                    quota.limit(tenant, defaults),
                    quota.override(tenant) == null ? "default" : "override",
                    quota.used(usage));
        }
    }
}
