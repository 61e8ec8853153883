package dev.sluice.api.quota;

import dev.sluice.api.ApiProperties;
import dev.sluice.db.tenant.TenantSettings;
import dev.sluice.db.tenant.TenantUsage;

/** What a tenant may hold at once, each bounded per tenant (docs/tenants.md). */
public enum Quota {
    /** Jobs not yet finished (queued or running): batch jobs, single jobs and facade calls together. */
    QUEUED_JOBS("queued_jobs", "jobs"),
    /** Bytes of uploaded files still stored. */
    STORED_BYTES("stored_bytes", "bytes"),
    /** Open {@code GET /v1/batches/{id}/events} streams, on all api replicas. */
    EVENT_STREAMS("event_streams", "streams"),
    /** Synchronous facade calls in progress, on all api replicas. */
    WAITING_FACADE_CALLS("waiting_facade_calls", "calls");

    private final String wire;
    private final String unit;

    Quota(String wire, String unit) {
        this.wire = wire;
        this.unit = unit;
    }

    /** The name in the API, in error objects and in {@code quota_leases.kind}. */
    public String wire() {
        return wire;
    }

    /** What it counts, for messages ("jobs"). */
    String unit() {
        return unit;
    }

    /** The quota named {@code wire} in the API. */
    static Quota of(String wire) {
        for (Quota quota : values()) {
            if (quota.wire.equals(wire)) {
                return quota;
            }
        }
        throw new IllegalArgumentException("no quota named " + wire);
    }

    /** The configured default. */
    long defaultLimit(ApiProperties.Quota defaults) {
        return switch (this) {
            case QUEUED_JOBS -> defaults.queuedJobs();
            case STORED_BYTES -> defaults.storedBytes().toBytes();
            case EVENT_STREAMS -> defaults.eventStreams();
            case WAITING_FACADE_CALLS -> defaults.waitingFacadeCalls();
        };
    }

    /** The tenant's override, or null for the default. */
    Long override(TenantSettings tenant) {
        return switch (this) {
            case QUEUED_JOBS -> tenant.queuedJobs();
            case STORED_BYTES -> tenant.storedBytes();
            case EVENT_STREAMS -> tenant.eventStreams();
            case WAITING_FACADE_CALLS -> tenant.waitingFacadeCalls();
        };
    }

    /** The limit in force for the tenant. */
    long limit(TenantSettings tenant, ApiProperties.Quota defaults) {
        Long override = override(tenant);
        return override != null ? override : defaultLimit(defaults);
    }

    /** The tenant's use of this quota. */
    long used(TenantUsage usage) {
        return switch (this) {
            case QUEUED_JOBS -> usage.queuedJobs();
            case STORED_BYTES -> usage.storedBytes();
            case EVENT_STREAMS -> usage.eventStreams();
            case WAITING_FACADE_CALLS -> usage.waitingFacadeCalls();
        };
    }
}
