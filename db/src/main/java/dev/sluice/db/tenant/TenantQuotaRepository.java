package dev.sluice.db.tenant;

import dev.sluice.db.Pipelined;
import dev.sluice.db.Timestamps;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
     * {@link #LOCK}, then the settings again with the tenant's unfinished jobs and live leases of one kind ({@link
     * TenantUsageRepository}), in one round trip ({@link Pipelined}): the counting statement starts once the lock is
     * held, so it counts what the lock's previous holder committed.
     */
    private static final String LOCK_AND_COUNT = LOCK + ";\nSELECT " + COLUMNS + ", ("
            + TenantUsageRepository.QUEUED_JOBS + ") AS queued_jobs, (" + TenantUsageRepository.LIVE_LEASES
            + ") AS live_leases FROM tenants WHERE id = :tenantId";

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
     * As {@link #lock}, for a submission whose caller also takes a lease of {@code kind}: the settings with the
     * tenant's unfinished jobs and live leases of that kind, counted once the lock is held.
     */
    public Optional<Locked> lockCounting(String tenantId, String kind) {
        return lockCounting(Pipelined.Statement.NONE, tenantId, kind);
    }

    /**
     * As {@link #lockCounting(String, String)}, in the same round trip as {@code first} (a write of the tenant's, to be
     * counted), sent before the lock ({@link Pipelined#together}); its parameters must not name {@code kind}.
     */
    public Optional<Locked> lockCounting(Pipelined.Statement first, String tenantId, String kind) {
        return Pipelined.lastRows(
                        pipelined,
                        Pipelined.together(
                                first,
                                new Pipelined.Statement(LOCK_AND_COUNT, Map.of("tenantId", tenantId, "kind", kind))),
                        (rs, n) -> new Locked(map(rs, n), rs.getLong("queued_jobs"), rs.getLong("live_leases")))
                .stream()
                .findFirst();
    }

    /**
     * Sends {@code statements} of the caller's transaction on their own (its {@link Pipelined.Statement#COMMIT}, once
     * the checks after {@link #lockCounting} have passed); nothing for {@link Pipelined.Statement#NONE}.
     */
    public void send(Pipelined.Statement statements) {
        Pipelined.run(pipelined, statements);
    }

    /**
     * A locked tenant's settings and use.
     *
     * @param queuedJobs its jobs not yet finished
     * @param liveLeases its live leases of the kind asked for
     */
    public record Locked(TenantSettings tenant, long queuedJobs, long liveLeases) {}

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
