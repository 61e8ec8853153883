package dev.sluice.db.cache;

import dev.sluice.db.Timestamps;
import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code response_cache} table: look up an unexpired answer, keep one, forget expired ones. */
@Repository
public class ResponseCacheRepository {

    private static final String FIND_FRESH = """
            SELECT response_status, response_body, prompt_tokens, completion_tokens, total_tokens
              FROM response_cache
             WHERE tenant_id = :tenantId AND key = :key AND expires_at > :now
            """;

    /** A newer answer to the same request replaces the older one and restarts its time to live. */
    private static final String UPSERT = """
            INSERT INTO response_cache (tenant_id, key, url, response_status, response_body,
                                        prompt_tokens, completion_tokens, total_tokens, created_at, expires_at)
            VALUES (:tenantId, :key, :url, :status, :body, :promptTokens, :completionTokens, :totalTokens,
                    :now, :expiresAt)
            ON CONFLICT ON CONSTRAINT response_cache_pk DO UPDATE
               SET response_status = EXCLUDED.response_status, response_body = EXCLUDED.response_body,
                   prompt_tokens = EXCLUDED.prompt_tokens, completion_tokens = EXCLUDED.completion_tokens,
                   total_tokens = EXCLUDED.total_tokens, created_at = EXCLUDED.created_at,
                   expires_at = EXCLUDED.expires_at
            """;

    private static final String DELETE_EXPIRED = """
            DELETE FROM response_cache WHERE expires_at <= :now
            """;

    private final JdbcClient jdbc;

    public ResponseCacheRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The tenant's unexpired answer under {@code key}, if any. */
    public Optional<CachedResponse> find(String tenantId, byte[] key, Instant now) {
        return jdbc.sql(FIND_FRESH)
                .param("tenantId", tenantId)
                .param("key", key)
                .param("now", Timestamps.bind(now))
                .query((rs, n) -> new CachedResponse(
                        rs.getInt("response_status"),
                        rs.getString("response_body"),
                        Timestamps.readInt(rs, "prompt_tokens"),
                        Timestamps.readInt(rs, "completion_tokens"),
                        Timestamps.readInt(rs, "total_tokens")))
                .optional();
    }

    /** Keeps {@code response} as the tenant's answer under {@code key} until {@code expiresAt}. */
    public void put(String tenantId, byte[] key, String url, CachedResponse response, Instant now, Instant expiresAt) {
        jdbc.sql(UPSERT)
                .param("tenantId", tenantId)
                .param("key", key)
                .param("url", url)
                .param("status", response.responseStatus())
                .param("body", response.responseBody())
                .param("promptTokens", response.promptTokens())
                .param("completionTokens", response.completionTokens())
                .param("totalTokens", response.totalTokens())
                .param("now", Timestamps.bind(now))
                .param("expiresAt", Timestamps.bind(expiresAt))
                .update();
    }

    /** Forgets every expired answer; returns how many. */
    public int deleteExpired(Instant now) {
        return jdbc.sql(DELETE_EXPIRED).param("now", Timestamps.bind(now)).update();
    }
}
