package dev.sluice.db.tenant;

/**
 * A partial change of a tenant's settings ({@code PATCH /admin/tenants/{id}}): each {@code set*} flag says whether
 * its field is changed; a changed override that is null returns that quota to its default.
 */
public record TenantSettingsChange(
        boolean setWeight,
        int weight,
        boolean setQueuedJobs,
        Long queuedJobs,
        boolean setStoredBytes,
        Long storedBytes,
        boolean setEventStreams,
        Long eventStreams,
        boolean setWaitingFacadeCalls,
        Long waitingFacadeCalls) {}
