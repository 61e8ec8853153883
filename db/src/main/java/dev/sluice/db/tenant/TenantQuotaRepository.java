package dev.sluice.db.tenant;

import dev.sluice.db.Pipelined;
import dev.sluice.db.Timestamps;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postgresql.util.PSQLException;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * A tenant's weight and quota overrides ({@code tenants.weight}, {@code tenants.quota_*}): read, changed, and
 * locked while a quota is checked. The lock ({@code FOR NO KEY UPDATE} on the tenant's row) serialises the quota
 * checks of one tenant, so two concurrent submissions cannot both pass the same quota: the second counts after the
 * first has committed. It does not conflict with the key-share locks that inserting the tenant's rows takes, so a
 * transaction that has already written its jobs can still take it without deadlock.
 */
@Repository
public class TenantQuotaRepository {

    private static final String COLUMNS = """
            id, name, created_at, weight, quota_queued_jobs, quota_stored_bytes, quota_event_streams,
            quota_waiting_facade_calls
            """;

    private static final String LOCK = "SELECT " + COLUMNS + " FROM tenants WHERE id = :tenantId FOR NO KEY UPDATE";

    /**
     * After {@link #LOCK}: counts the tenant's live leases of {@code :kind} and its unfinished jobs (those of the
     * transaction included), and refuses over either quota, leases first ({@code refuse_over_quotas}, V34): the
     * tenant's override of each limit, or the default the caller passes.
     */
    private static final String REFUSE_OVER_LEASES_AND_JOBS =
            """
            SELECT refuse_over_quotas(
                       ARRAY[:kind, 'queued_jobs'],
                       ARRAY[coalesce(CASE :kind WHEN 'event_streams' THEN t.quota_event_streams
                                                 ELSE t.quota_waiting_facade_calls END, :leaseDefault),
                             coalesce(t.quota_queued_jobs, :queuedJobsDefault)],
                       ARRAY[CAST((%s) AS bigint), CAST((%s) AS bigint) - :requested],
                       ARRAY[1, :requested])
              FROM tenants t WHERE t.id = :tenantId
            """.formatted(TenantUsageRepository.LIVE_LEASES, TenantUsageRepository.QUEUED_JOBS);

    /** As {@link #REFUSE_OVER_LEASES_AND_JOBS}, for the unfinished jobs alone. */
    private static final String REFUSE_OVER_JOBS = """
            SELECT refuse_over_quotas(
                       ARRAY['queued_jobs'],
                       ARRAY[coalesce(t.quota_queued_jobs, :queuedJobsDefault)],
                       ARRAY[CAST((%s) AS bigint) - :requested],
                       ARRAY[CAST(:requested AS bigint)])
              FROM tenants t WHERE t.id = :tenantId
            """.formatted(TenantUsageRepository.QUEUED_JOBS);

    /** What {@code refuse_over_quotas} raises (V34). */
    private static final String REFUSED = "SQ429";

    private static final String FIND = "SELECT " + COLUMNS + " FROM tenants WHERE id = :id";

    private static final String LIST = "SELECT " + COLUMNS + " FROM tenants ORDER BY created_at, id";

    /** Each field is changed only when its flag is set; the others keep their value. */
    private static final String CHANGE = """
            UPDATE tenants
               SET weight = CASE WHEN :setWeight THEN :weight ELSE weight END,
                   quota_queued_jobs = CASE WHEN :setQueuedJobs THEN CAST(:queuedJobs AS bigint)
                                            ELSE quota_queued_jobs END,
                   quota_stored_bytes = CASE WHEN :setStoredBytes THEN CAST(:storedBytes AS bigint)
                                             ELSE quota_stored_bytes END,
                   quota_event_streams = CASE WHEN :setEventStreams THEN CAST(:eventStreams AS bigint)
                                              ELSE quota_event_streams END,
                   quota_waiting_facade_calls = CASE WHEN :setWaitingFacadeCalls
                                                     THEN CAST(:waitingFacadeCalls AS bigint)
                                                     ELSE quota_waiting_facade_calls END
             WHERE id = :id
            """;

    private final JdbcClient jdbc;
    private final NamedParameterJdbcOperations pipelined;

    TenantQuotaRepository(JdbcClient jdbc, NamedParameterJdbcOperations pipelined) {
        this.jdbc = jdbc;
        this.pipelined = pipelined;
    }

    /**
     * Locks the tenant's row until the transaction ends and returns its settings; call inside the transaction
     * whose writes the quota check is about, after them, so that they are counted.
     */
    public Optional<TenantSettings> lock(String tenantId) {
        return jdbc.sql(LOCK)
                .param("tenantId", tenantId)
                .query(TenantQuotaRepository::map)
                .optional();
    }

    /**
     * The tenant's lock, then a count that refuses {@code requested} more jobs over its {@code queued_jobs} quota
     * ({@code queuedJobsDefault} unless the tenant overrides it), to be sent after the jobs' writes in the same round
     * trip ({@link Pipelined#together}) with {@link #sendRefusing}: the count starts once the lock is held, so it counts
     * what the lock's previous holder committed. None of the statements sent with it may give the parameters {@code
     * tenantId}, {@code requested} or {@code queuedJobsDefault} other values.
     */
    public static Pipelined.Statement refusingOverJobs(String tenantId, long requested, long queuedJobsDefault) {
        return new Pipelined.Statement(
                LOCK + ";\n" + REFUSE_OVER_JOBS,
                Map.of("tenantId", tenantId, "requested", requested, "queuedJobsDefault", queuedJobsDefault));
    }

    /**
     * As {@link #refusingOverJobs}, refusing first one more lease of {@code kind} over its quota ({@code leaseDefault}
     * unless the tenant overrides it). None of the statements sent with it may give {@code kind} or {@code
     * leaseDefault} other values either.
     */
    public static Pipelined.Statement refusingOverLeasesAndJobs(
            String tenantId, long requested, long queuedJobsDefault, String kind, long leaseDefault) {
        return new Pipelined.Statement(
                LOCK + ";\n" + REFUSE_OVER_LEASES_AND_JOBS,
                Map.of(
                        "tenantId",
                        tenantId,
                        "requested",
                        requested,
                        "queuedJobsDefault",
                        queuedJobsDefault,
                        "kind",
                        kind,
                        "leaseDefault",
                        leaseDefault));
    }

    /**
     * Sends {@code statements} of the caller's transaction in one round trip; {@link Refused} when a quota check among
     * them ({@link #refusingOverJobs}, {@link #refusingOverLeasesAndJobs}) refused, which skipped every statement after
     * it: the caller's transaction then rolls back.
     */
    public void sendRefusing(Pipelined.Statement statements) {
        try {
            Pipelined.run(pipelined, statements);
        } catch (DataAccessException e) {
            if (e.getMostSpecificCause() instanceof PSQLException refused
                    && REFUSED.equals(refused.getSQLState())
                    && refused.getServerErrorMessage() != null) {
                String[] detail = refused.getServerErrorMessage().getDetail().split(" ");
                throw new Refused(
                        detail[0], Long.parseLong(detail[1]), Long.parseLong(detail[2]), Long.parseLong(detail[3]));
            }
            throw e;
        }
    }

    /** A quota a check refused: its name, its limit, what was in use and what the request asked for. */
    public static final class Refused extends RuntimeException {

        private final String quota;
        private final long limit;
        private final long used;
        private final long requested;

        Refused(String quota, long limit, long used, long requested) {
            super("quota " + quota + " exceeded", null, false, false);
            this.quota = quota;
            this.limit = limit;
            this.used = used;
            this.requested = requested;
        }

        public String quota() {
            return quota;
        }

        public long limit() {
            return limit;
        }

        public long used() {
            return used;
        }

        public long requested() {
            return requested;
        }
    }

    /** The tenant's settings. */
    public Optional<TenantSettings> find(String tenantId) {
        return jdbc.sql(FIND)
                .param("id", tenantId)
                .query(TenantQuotaRepository::map)
                .optional();
    }

    /** Every tenant's settings, oldest first. */
    public List<TenantSettings> list() {
        return jdbc.sql(LIST).query(TenantQuotaRepository::map).list();
    }

    /** Applies {@code change}; false when there is no such tenant. */
    public boolean change(String tenantId, TenantSettingsChange change) {
        return jdbc.sql(CHANGE)
                        .param("id", tenantId)
                        .param("setWeight", change.setWeight())
                        .param("weight", change.weight())
                        .param("setQueuedJobs", change.setQueuedJobs())
                        .param("queuedJobs", change.queuedJobs())
                        .param("setStoredBytes", change.setStoredBytes())
                        .param("storedBytes", change.storedBytes())
                        .param("setEventStreams", change.setEventStreams())
                        .param("eventStreams", change.eventStreams())
                        .param("setWaitingFacadeCalls", change.setWaitingFacadeCalls())
                        .param("waitingFacadeCalls", change.waitingFacadeCalls())
                        .update()
                == 1;
    }

    private static TenantSettings map(ResultSet rs, int row) throws SQLException {
        return new TenantSettings(
                rs.getString("id"),
                rs.getString("name"),
                Timestamps.read(rs, "created_at"),
                rs.getInt("weight"),
                Timestamps.readLong(rs, "quota_queued_jobs"),
                Timestamps.readLong(rs, "quota_stored_bytes"),
                Timestamps.readLong(rs, "quota_event_streams"),
                Timestamps.readLong(rs, "quota_waiting_facade_calls"));
    }
}
