package dev.sluice.api.quota;

import dev.sluice.api.ApiProperties;
import dev.sluice.db.Pipelined;
import dev.sluice.db.tenant.TenantQuotaRepository;
import dev.sluice.db.tenant.TenantSettings;
import dev.sluice.db.tenant.TenantUsageRepository;
import org.springframework.stereotype.Service;

/**
 * Checks a submission against the tenant's queued-jobs and stored-bytes quotas. The check that counts is
 * {@code check*}, made inside the transaction that stores the submission, after its rows are written and with
 * the tenant's row locked until commit ({@link TenantQuotaRepository#lock}): the count includes the submission
 * itself and every other one committed before, and a concurrent submission of the same tenant counts only after
 * this one has committed or rolled back. So two submissions cannot both pass the same quota, and a refused one
 * rolls back whole: nothing is stored. {@code precheck*} refuses early, without a lock, what is already known
 * to be over (a 100,000-line batch is then not written first).
 */
@Service
public class TenantQuotas {

    private final TenantQuotaRepository tenants;
    private final TenantUsageRepository usage;
    private final ApiProperties.Quota defaults;
    private final QuotaRefusals refusals;

    TenantQuotas(
            TenantQuotaRepository tenants,
            TenantUsageRepository usage,
            ApiProperties properties,
            QuotaRefusals refusals) {
        this.refusals = refusals;
        this.tenants = tenants;
        this.usage = usage;
        this.defaults = properties.quota();
    }

    /** Refuses {@code requested} more jobs when the tenant's unfinished jobs are already too many for them. */
    public void precheckQueuedJobs(String tenantId, long requested) {
        TenantSettings tenant = tenants.find(tenantId).orElseThrow();
        refuseIfOver(Quota.QUEUED_JOBS, tenant, usage.queuedJobs(tenantId), requested);
    }

    /**
     * Inside the storing transaction, after the {@code requested} jobs were written: locks the tenant and refuses
     * (429, rolling the transaction back when the exception leaves it) if its unfinished jobs now exceed its quota.
     */
    public void checkQueuedJobs(String tenantId, long requested) {
        TenantSettings tenant = tenants.lock(tenantId).orElseThrow();
        refuseIfOver(Quota.QUEUED_JOBS, tenant, usage.queuedJobs(tenantId) - requested, requested);
    }

    /**
     * As {@link #checkQueuedJobs(String, long)}, for the job {@code jobId} whose caller waits for it holding {@code
     * waiting} (a facade call), in its storing transaction, in one round trip: {@code insert} (the job's write), the
     * tenant's lock with one count that refuses over either quota (the waiting-calls quota first;
     * {@link TenantQuotaRepository#refusingOverLeasesAndJobs}), the lease's insert, {@code alongside}, and {@code
     * last} (the caller's {@link Pipelined.Statement#COMMIT}, when nothing follows in its transaction). A refusal skips
     * the statements after the count, and the transaction rolls back. When the lease holds its place already, only the
     * jobs' quota is checked and no lease is inserted. None may give the parameters of the count or the lease's insert
     * other values ({@code tenantId}, {@code requested}, {@code queuedJobsDefault}, {@code kind}, {@code leaseDefault},
     * {@code leaseId}, {@code ttlMillis}, {@code jobId}).
     */
    public void insertChecked(
            String tenantId,
            String jobId,
            Pipelined.Statement insert,
            long requested,
            QuotaLeases.Lease waiting,
            Pipelined.Statement alongside,
            Pipelined.Statement last) {
        long queuedJobs = Quota.QUEUED_JOBS.defaultLimit(defaults);
        Pipelined.Statement checked = waiting.held()
                ? TenantQuotaRepository.refusingOverJobs(tenantId, requested, queuedJobs)
                : Pipelined.together(
                        TenantQuotaRepository.refusingOverLeasesAndJobs(
                                tenantId,
                                requested,
                                queuedJobs,
                                waiting.quota().wire(),
                                waiting.quota().defaultLimit(defaults)),
                        waiting.insertionWithJob(jobId));
        try {
            tenants.sendRefusing(Pipelined.together(insert, checked, alongside, last));
        } catch (TenantQuotaRepository.Refused refused) {
            Quota quota = Quota.of(refused.quota());
            throw refusals.exceeded(quota, refused.limit(), refused.used(), refused.requested());
        }
    }

    /** Refuses an upload of {@code requested} bytes when the tenant's stored uploads leave no room for it. */
    public void precheckStoredBytes(String tenantId, long requested) {
        TenantSettings tenant = tenants.find(tenantId).orElseThrow();
        refuseIfOver(Quota.STORED_BYTES, tenant, usage.storedBytes(tenantId), requested);
    }

    /** As {@link #checkQueuedJobs}, for an upload of {@code requested} bytes whose parts were written. */
    public void checkStoredBytes(String tenantId, long requested) {
        TenantSettings tenant = tenants.lock(tenantId).orElseThrow();
        refuseIfOver(Quota.STORED_BYTES, tenant, usage.storedBytes(tenantId) - requested, requested);
    }

    private void refuseIfOver(Quota quota, TenantSettings tenant, long used, long requested) {
        long limit = quota.limit(tenant, defaults);
        if (used + requested > limit) {
            throw refusals.exceeded(quota, limit, used, requested);
        }
    }
}
