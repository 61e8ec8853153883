package dev.sluice.api.quota;

import dev.sluice.api.ApiProperties;
import dev.sluice.common.Ids;
import dev.sluice.db.Pipelined;
import dev.sluice.db.tenant.QuotaLeaseRepository;
import dev.sluice.db.tenant.TenantQuotaRepository;
import dev.sluice.db.tenant.TenantSettings;
import dev.sluice.db.tenant.TenantUsageRepository;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Counts what a tenant holds open (event streams, waiting facade calls) across every api replica, with a lease
 * per held thing in PostgreSQL ({@code quota_leases}). Taking one locks the tenant's row, counts its live leases of
 * that kind and inserts a new one in one transaction, so two replicas cannot both take the last place. This
 * replica renews its own leases every third of {@code sluice.quota.lease-duration}; closing deletes the lease. A
 * replica that dies stops renewing, and its leases stop counting once they run out.
 *
 * <p>Why not a count in each replica's memory: with N replicas behind a load balancer a tenant could hold N times
 * its quota, and an operator could not see the use in one place. An event stream's lease costs one short transaction
 * on open and one delete on close; a facade call's is taken in the transaction that stores its job, under the same
 * lock and in the same count as its queued-jobs quota, and deleted by the transaction that finishes the job (V33),
 * or by this replica when the caller stops waiting first.
 */
@Component
public class QuotaLeases implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(QuotaLeases.class);

    private final TenantQuotaRepository tenants;
    private final TenantUsageRepository usage;
    private final QuotaLeaseRepository leases;
    private final TransactionTemplate transaction;
    private final ApiProperties.Quota defaults;
    private final Duration ttl;
    private final QuotaRefusals refusals;
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private volatile ScheduledExecutorService renewer;

    QuotaLeases(
            TenantQuotaRepository tenants,
            TenantUsageRepository usage,
            QuotaLeaseRepository leases,
            TransactionTemplate transaction,
            ApiProperties properties,
            QuotaRefusals refusals) {
        this.refusals = refusals;
        this.tenants = tenants;
        this.usage = usage;
        this.leases = leases;
        this.transaction = transaction;
        this.defaults = properties.quota();
        this.ttl = properties.quota().leaseDuration();
    }

    /**
     * One thing a tenant may hold (an open stream, a waiting facade call): it holds a place once taken, alone
     * ({@link #take()}) or in the transaction that stores its job ({@link TenantQuotas#insertChecked}); closing it
     * frees the place, if it holds one.
     */
    public final class Lease implements AutoCloseable {

        private final String id = "ql_" + Ids.random(16);
        private final String tenantId;
        private final Quota quota;
        /** The job whose end deletes this lease, once taken in the transaction that stores the job. */
        private volatile String job;

        private Lease(String tenantId, Quota quota) {
            this.tenantId = tenantId;
            this.quota = quota;
        }

        /** Whether it holds a place now. */
        public boolean held() {
            return held.contains(id);
        }

        /**
         * Takes the place in a transaction of its own, unless it holds one already: locks the tenant's row, counts
         * its live leases of this kind and inserts this one; 429 {@code quota_exceeded} when all are taken.
         */
        public Lease take() {
            if (!held()) {
                transaction.executeWithoutResult(status -> {
                    TenantSettings tenant = tenants.lock(tenantId).orElseThrow();
                    refuseIfFull(tenant, usage.liveLeases(tenantId, quota.wire()));
                    insert();
                });
                held.add(id);
            }
            return this;
        }

        /** Refuses with 429 when the tenant's {@code used} places of this kind leave none. */
        void refuseIfFull(TenantSettings tenant, long used) {
            long limit = quota.limit(tenant, defaults);
            if (used + 1 > limit) {
                throw refusals.exceeded(quota, limit, used, 1);
            }
        }

        /**
         * The lease's insert, to be sent in the transaction that stores the job {@code jobId} ({@link
         * QuotaLeaseRepository#insertion}); it holds its place once that commits, and until the job ends: the
         * transaction that finishes the job deletes it (V33), or {@link #close()} does first.
         */
        Pipelined.Statement insertionWithJob(String jobId) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    job = jobId;
                    held.add(id);
                }
            });
            return QuotaLeaseRepository.insertion(id, tenantId, quota.wire(), ttl, jobId);
        }

        /**
         * The job {@code jobId} has finished: if this lease was taken with it, the job's end deleted it and it holds
         * no place any more, so closing it deletes nothing.
         */
        public void jobFinished(String jobId) {
            if (jobId.equals(job)) {
                held.remove(id);
            }
        }

        Quota quota() {
            return quota;
        }

        private void insert() {
            leases.insert(id, tenantId, quota.wire(), ttl);
        }

        @Override
        public void close() {
            if (held.remove(id)) {
                try {
                    leases.delete(id);
                } catch (RuntimeException e) {
                    // It runs out on its own once no longer renewed.
                    log.warn("Releasing quota lease {} failed; it lapses in {}: {}", id, ttl, e.toString());
                }
            }
        }
    }

    /**
     * A lease of {@code quota} ({@link Quota#EVENT_STREAMS} or {@link Quota#WAITING_FACADE_CALLS}) for the tenant,
     * holding no place yet.
     */
    public Lease lease(String tenantId, Quota quota) {
        if (quota != Quota.EVENT_STREAMS && quota != Quota.WAITING_FACADE_CALLS) {
            throw new IllegalArgumentException(quota + " is not counted with leases");
        }
        return new Lease(tenantId, quota);
    }

    /**
     * Takes a place of {@code quota} ({@link Quota#EVENT_STREAMS} or {@link Quota#WAITING_FACADE_CALLS}) for the
     * tenant, or refuses with 429 {@code quota_exceeded} when all are taken.
     */
    public Lease acquire(String tenantId, Quota quota) {
        return lease(tenantId, quota).take();
    }

    /** Renews this replica's leases and deletes lapsed ones; returns how many were renewed. */
    public int runOnce() {
        int renewed = leases.renew(List.copyOf(held), ttl);
        leases.deleteLapsed(ttl);
        return renewed;
    }

    private void renew() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            log.warn("Renewing quota leases failed; trying again shortly: {}", e.toString());
        }
    }

    @Override
    public void start() {
        renewer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("quota-leases").factory());
        long every = ttl.toMillis() / 3;
        renewer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        renewer.shutdownNow();
        renewer = null;
    }

    @Override
    public boolean isRunning() {
        return renewer != null;
    }
}
