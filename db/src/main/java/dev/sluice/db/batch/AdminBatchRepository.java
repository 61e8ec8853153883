package dev.sluice.db.batch;

import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The operator's view of {@code batches}: every tenant's, newest first, searched by id, tenant and metadata.
 * A tenant's own reads stay in {@link BatchRepository}, always scoped by tenant.
 */
@Repository
public class AdminBatchRepository {

    /**
     * A key and value pair is a jsonb containment ({@code @>}); a value alone is a substring of any value, found by
     * walking each candidate's metadata (at most 16 pairs, as submission allows). Paged by {@code seq} like a
     * tenant's list.
     */
    private static final String SEARCH = """
            SELECT * FROM batches b
             WHERE (CAST(:id AS text) IS NULL OR b.id = :id)
               AND (CAST(:tenantId AS text) IS NULL OR b.tenant_id = :tenantId)
               AND (CAST(:metadataKey AS text) IS NULL OR CAST(:metadataValue AS text) IS NOT NULL
                    OR b.metadata -> CAST(:metadataKey AS text) IS NOT NULL)
               AND (CAST(:metadataKey AS text) IS NULL OR CAST(:metadataValue AS text) IS NULL
                    OR b.metadata @> jsonb_build_object(CAST(:metadataKey AS text), CAST(:metadataValue AS text)))
               AND (CAST(:metadataKey AS text) IS NOT NULL OR CAST(:metadataValue AS text) IS NULL
                    OR EXISTS (SELECT 1 FROM jsonb_each_text(b.metadata) m
                                WHERE strpos(lower(m.value), lower(CAST(:metadataValue AS text))) > 0))
               AND (CAST(:afterId AS text) IS NULL OR b.seq < (SELECT seq FROM batches WHERE id = :afterId))
             ORDER BY b.seq DESC
             LIMIT :limit
            """;

    private final JdbcClient jdbc;

    public AdminBatchRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Up to {@code limit} batches matching {@code search}, newest first, after batch {@code afterId} (null: from the newest). */
    public List<BatchRow> search(BatchSearch search, String afterId, int limit) {
        return jdbc.sql(SEARCH)
                .param("id", search.id())
                .param("tenantId", search.tenantId())
                .param("metadataKey", search.metadataKey())
                .param("metadataValue", search.metadataValue())
                .param("afterId", afterId)
                .param("limit", limit)
                .query(BatchRowMapper.INSTANCE)
                .list();
    }
}
