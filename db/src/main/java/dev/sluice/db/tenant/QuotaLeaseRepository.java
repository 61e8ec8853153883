package dev.sluice.db.tenant;

import dev.sluice.db.Pipelined;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * {@code quota_leases}: what a tenant holds open on some api replica (an event stream, a waiting facade call),
 * counted while its lease lasts. Lease times are on PostgreSQL's clock, so replicas' clocks do not matter.
 */
@Repository
public class QuotaLeaseRepository {

    /** A lease; one naming a job is deleted by the transaction that finishes the job (the trigger of V33). */
    private static final String INSERT = """
            INSERT INTO quota_leases (id, tenant_id, kind, expires_at, job_id)
            VALUES (:leaseId, :tenantId, :kind, now() + :ttlMillis * interval '1 millisecond', :jobId)
            """;

    private static final String RENEW = """
            UPDATE quota_leases SET expires_at = now() + :ttlMillis * interval '1 millisecond' WHERE id = ANY(CAST(:ids AS text[]))
            """;

    private static final String DELETE = "DELETE FROM quota_leases WHERE id = :id";

    /** Leases that ran out (their replica died) some time ago; live counts already ignore them. */
    private static final String DELETE_LAPSED = """
            DELETE FROM quota_leases WHERE expires_at < now() - :graceMillis * interval '1 millisecond'
            """;

    private final JdbcClient jdbc;
    private final NamedParameterJdbcOperations pipelined;

    QuotaLeaseRepository(JdbcClient jdbc, NamedParameterJdbcOperations pipelined) {
        this.jdbc = jdbc;
        this.pipelined = pipelined;
    }

    /** Records a lease of {@code kind} for the tenant, lasting {@code ttl} from now. */
    public void insert(String id, String tenantId, String kind, Duration ttl) {
        insert(id, tenantId, kind, ttl, Pipelined.Statement.NONE);
    }

    /**
     * As {@link #insert(String, String, String, Duration)}, with {@code alongside} sent after it in the same round trip
     * ({@link Pipelined#together}).
     */
    public void insert(String id, String tenantId, String kind, Duration ttl, Pipelined.Statement alongside) {
        Pipelined.run(pipelined, Pipelined.together(insertion(id, tenantId, kind, ttl, null), alongside));
    }

    /**
     * The insert of a lease, to be sent with the statements of the transaction that takes it ({@link
     * Pipelined#together}); with a {@code jobId}, the lease is held while that job is unfinished: the transaction that
     * finishes the job deletes it (the trigger of V33). Its parameters are {@code leaseId}, {@code tenantId}, {@code
     * kind}, {@code ttlMillis} and {@code jobId}.
     */
    public static Pipelined.Statement insertion(String id, String tenantId, String kind, Duration ttl, String jobId) {
        Map<String, Object> params = new HashMap<>();
        params.put("leaseId", id);
        params.put("tenantId", tenantId);
        params.put("kind", kind);
        params.put("ttlMillis", ttl.toMillis());
        params.put("jobId", jobId);
        return new Pipelined.Statement(INSERT, params);
    }

    /** Extends the given leases to {@code ttl} from now; returns how many still existed. */
    public int renew(List<String> ids, Duration ttl) {
        if (ids.isEmpty()) {
            return 0;
        }
        return jdbc.sql(RENEW)
                .param("ids", ids.toArray(String[]::new))
                .param("ttlMillis", ttl.toMillis())
                .update();
    }

    /** Ends a lease. */
    public void delete(String id) {
        jdbc.sql(DELETE).param("id", id).update();
    }

    /** Deletes leases that ran out more than {@code grace} ago; returns how many. */
    public int deleteLapsed(Duration grace) {
        return jdbc.sql(DELETE_LAPSED).param("graceMillis", grace.toMillis()).update();
    }
}
