package dev.sluice.db.tenant;

import java.util.HashMap;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * What tenants hold, counted for their quotas: unfinished jobs (from the kept counts of their open batches,
 * {@code batch_job_counts}, plus their unfinished single jobs, so the cost does not grow with a batch's size),
 * stored upload bytes, and live {@code quota_leases}. Read-only; inside a transaction its counts include that
 * transaction's own writes.
 */
@Repository
public class TenantUsageRepository {

    private static final String OPEN_BATCH = "('validating', 'in_progress', 'finalizing', 'cancelling')";

    static final String QUEUED_JOBS = """
            SELECT coalesce((SELECT sum(c.queued + c.running)
                               FROM batches b JOIN batch_job_counts c ON c.batch_id = b.id
                              WHERE b.tenant_id = :tenantId AND b.status IN %s), 0)
                 + (SELECT count(*) FROM jobs
                     WHERE tenant_id = :tenantId AND batch_id IS NULL AND status IN ('queued', 'running'))
            """.formatted(OPEN_BATCH);

    private static final String STORED_BYTES = """
            SELECT coalesce(sum(bytes), 0) FROM files
             WHERE tenant_id = :tenantId AND batch_id IS NULL AND expired_at IS NULL
            """;

    static final String LIVE_LEASES = """
            SELECT count(*) FROM quota_leases WHERE tenant_id = :tenantId AND kind = :kind AND expires_at > now()
            """;

    /** Every tenant's use, one row per tenant holding anything. */
    private static final String ALL = """
            WITH queued AS (
                SELECT b.tenant_id, sum(c.queued + c.running) AS n
                  FROM batches b JOIN batch_job_counts c ON c.batch_id = b.id
                 WHERE b.status IN %s
                 GROUP BY b.tenant_id
                UNION ALL
                SELECT tenant_id, count(*) FROM jobs
                 WHERE batch_id IS NULL AND status IN ('queued', 'running')
                 GROUP BY tenant_id),
            stored AS (
                SELECT tenant_id, sum(bytes) AS n FROM files
                 WHERE batch_id IS NULL AND expired_at IS NULL
                 GROUP BY tenant_id),
            leases AS (
                SELECT tenant_id, count(*) FILTER (WHERE kind = 'event_streams') AS streams,
                       count(*) FILTER (WHERE kind = 'waiting_facade_calls') AS calls
                  FROM quota_leases WHERE expires_at > now()
                 GROUP BY tenant_id)
            SELECT t.id,
                   coalesce((SELECT sum(n) FROM queued q WHERE q.tenant_id = t.id), 0) AS queued_jobs,
                   coalesce((SELECT n FROM stored s WHERE s.tenant_id = t.id), 0) AS stored_bytes,
                   coalesce(l.streams, 0) AS event_streams,
                   coalesce(l.calls, 0) AS waiting_facade_calls
              FROM tenants t LEFT JOIN leases l ON l.tenant_id = t.id
            """.formatted(OPEN_BATCH);

    private final JdbcClient jdbc;

    TenantUsageRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The tenant's jobs not yet finished. */
    public long queuedJobs(String tenantId) {
        return jdbc.sql(QUEUED_JOBS)
                .param("tenantId", tenantId)
                .query(Long.class)
                .single();
    }

    /** Bytes of the tenant's uploads still stored. */
    public long storedBytes(String tenantId) {
        return jdbc.sql(STORED_BYTES)
                .param("tenantId", tenantId)
                .query(Long.class)
                .single();
    }

    /** The tenant's live leases of {@code kind} ({@code event_streams} or {@code waiting_facade_calls}). */
    public long liveLeases(String tenantId, String kind) {
        return jdbc.sql(LIVE_LEASES)
                .param("tenantId", tenantId)
                .param("kind", kind)
                .query(Long.class)
                .single();
    }

    /** The tenant's use of every quota. */
    public TenantUsage of(String tenantId) {
        return new TenantUsage(
                queuedJobs(tenantId),
                storedBytes(tenantId),
                liveLeases(tenantId, "event_streams"),
                liveLeases(tenantId, "waiting_facade_calls"));
    }

    /** Every tenant's use, by tenant id. */
    public Map<String, TenantUsage> all() {
        Map<String, TenantUsage> usage = new HashMap<>();
        jdbc.sql(ALL).query(rs -> {
            usage.put(
                    rs.getString("id"),
                    new TenantUsage(
                            rs.getLong("queued_jobs"),
                            rs.getLong("stored_bytes"),
                            rs.getLong("event_streams"),
                            rs.getLong("waiting_facade_calls")));
        });
        return usage;
    }
}
