package dev.sluice.db.idempotency;

import dev.sluice.db.Timestamps;
import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code idempotency_keys} table. {@link #claim} is one conditional statement whose arbiter is
 * the primary key, so of two transactions claiming one key at once exactly one wins: the other waits
 * for it to commit and then sees its row.
 */
@Repository
public class IdempotencyRepository {

    /** Object types as stored in {@code object_type}. */
    public enum ObjectType {
        /** A batch, created by {@code POST /v1/batches} or a retry. */
        BATCH("batch"),
        /** A single job, created by {@code POST /v1/jobs}. */
        JOB("job");

        private final String wire;

        ObjectType(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    /**
     * Inserts the key, or takes over a row that is no longer live (older than the cutoff); a live row
     * is left alone and nothing is returned.
     */
    private static final String CLAIM = """
            INSERT INTO idempotency_keys (tenant_id, key, object_type, request_hash, object_id, created_at)
            VALUES (:tenantId, :key, :objectType, :requestHash, :objectId, :now)
            ON CONFLICT ON CONSTRAINT idempotency_keys_pk DO UPDATE
               SET request_hash = EXCLUDED.request_hash, object_id = EXCLUDED.object_id,
                   created_at = EXCLUDED.created_at
             WHERE idempotency_keys.created_at <= :liveAfter
            RETURNING object_id
            """;

    private static final String FIND = """
            SELECT object_id, request_hash, created_at FROM idempotency_keys
             WHERE tenant_id = :tenantId AND key = :key AND object_type = :objectType
            """;

    private final JdbcClient jdbc;

    public IdempotencyRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Records that the tenant's key now stands for {@code objectId}; call in the transaction that stores
     * the object, before storing it. True when the key was free (never used, or last used at or before
     * {@code liveAfter}); false when a live row holds it, which {@link #find} then returns. A concurrent
     * claim of the same key blocks here until the other transaction ends.
     */
    public boolean claim(
            String tenantId,
            String key,
            ObjectType type,
            byte[] requestHash,
            String objectId,
            Instant now,
            Instant liveAfter) {
        return jdbc.sql(CLAIM)
                .param("tenantId", tenantId)
                .param("key", key)
                .param("objectType", type.wire())
                .param("requestHash", requestHash)
                .param("objectId", objectId)
                .param("now", Timestamps.bind(now))
                .param("liveAfter", Timestamps.bind(liveAfter))
                .query(String.class)
                .optional()
                .isPresent();
    }

    /** The row holding the tenant's key for this object type, live or not. */
    public Optional<IdempotencyRecord> find(String tenantId, String key, ObjectType type) {
        return jdbc.sql(FIND)
                .param("tenantId", tenantId)
                .param("key", key)
                .param("objectType", type.wire())
                .query((rs, n) -> new IdempotencyRecord(
                        rs.getString("object_id"), rs.getBytes("request_hash"), Timestamps.read(rs, "created_at")))
                .optional();
    }
}
