package dev.sluice.api.quota;

import dev.sluice.api.ApiProperties;
import dev.sluice.common.Ids;
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
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Counts what a tenant holds open (event streams, waiting facade calls) across every api replica, with a lease
 * per held thing in PostgreSQL ({@code quota_leases}). Taking one locks the tenant's row, counts its live leases of
 * that kind and inserts a new one in one transaction, so two replicas cannot both take the last place. This
 * replica renews its own leases every third of {@code sluice.quota.lease-duration}; closing deletes the lease. A
 * replica that dies stops renewing, and its leases stop counting once they run out.
 *
 * <p>Why not a count in each replica's memory: with N replicas behind a load balancer a tenant could hold N times
 * its quota, and an operator could not see the use in one place. The lease costs one short transaction on open and
 * one delete on close, next to requests that already write to the database (a facade call stores a job).
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

    /** One held thing; closing it frees its place. */
    public final class Lease implements AutoCloseable {

        private final String id;

        private Lease(String id) {
            this.id = id;
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
     * Takes a place of {@code quota} ({@link Quota#EVENT_STREAMS} or {@link Quota#WAITING_FACADE_CALLS}) for the
     * tenant, or refuses with 429 {@code quota_exceeded} when all are taken.
     */
    public Lease acquire(String tenantId, Quota quota) {
        if (quota != Quota.EVENT_STREAMS && quota != Quota.WAITING_FACADE_CALLS) {
            throw new IllegalArgumentException(quota + " is not counted with leases");
        }
        String id = "ql_" + Ids.random(16);
        transaction.executeWithoutResult(status -> {
            TenantSettings tenant = tenants.lock(tenantId).orElseThrow();
            long limit = quota.limit(tenant, defaults);
            long used = usage.liveLeases(tenantId, quota.wire());
            if (used + 1 > limit) {
                throw refusals.exceeded(quota, limit, used, 1);
            }
            leases.insert(id, tenantId, quota.wire(), ttl);
        });
        held.add(id);
        return new Lease(id);
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
