package dev.sluice.db.operations;

import dev.sluice.db.Timestamps;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** {@code GET /admin/usage}: requests, tokens and cache hits by tenant × model × UTC day, summed from the jobs. */
@Repository
public class UsageRepository {

    /** Grouped over the jobs alone, then named: the join touches one tenant row per group, not per job. */
    private static final String BY_TENANT_MODEL_DAY = """
            WITH usage AS (
            SELECT tenant_id, model, CAST(completed_at AT TIME ZONE 'UTC' AS date) AS day,
                   count(*) AS requests,
                   count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
                   count(*) FILTER (WHERE status = 'failed') AS failed,
                   coalesce(sum(prompt_tokens), 0) AS prompt_tokens,
                   coalesce(sum(completion_tokens), 0) AS completion_tokens,
                   coalesce(sum(total_tokens), 0) AS total_tokens,
                   count(*) FILTER (WHERE cached) AS cache_hits,
                   coalesce(sum(total_tokens) FILTER (WHERE cached), 0) AS cached_total_tokens,
                   coalesce(sum(prompt_tokens_estimate) FILTER (WHERE NOT cached AND prompt_tokens IS NOT NULL), 0)
                       AS estimated_prompt_tokens,
                   coalesce(sum(prompt_tokens) FILTER (WHERE NOT cached AND prompt_tokens_estimate IS NOT NULL), 0)
                       AS counted_prompt_tokens
              FROM jobs
             WHERE completed_at >= :from AND completed_at < :until
               AND status IN ('succeeded', 'failed')
               AND (CAST(:tenantId AS text) IS NULL OR tenant_id = :tenantId)
               AND (CAST(:model AS text) IS NULL OR model = :model)
             GROUP BY tenant_id, model, day
            )
            SELECT usage.*, tenants.name AS tenant_name
              FROM usage JOIN tenants ON tenants.id = usage.tenant_id
             ORDER BY day, tenant_id, model
            """;

    private final JdbcClient jdbc;

    public UsageRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Usage of jobs finished in {@code [from, until)}, optionally of one tenant and/or one model. */
    public List<UsageRow> usage(Instant from, Instant until, String tenantId, String model) {
        return jdbc.sql(BY_TENANT_MODEL_DAY)
                .param("from", Timestamps.bind(from))
                .param("until", Timestamps.bind(until))
                .param("tenantId", tenantId)
                .param("model", model)
                .query((rs, n) -> new UsageRow(
                        rs.getString("tenant_id"),
                        rs.getString("tenant_name"),
                        rs.getString("model"),
                        rs.getObject("day", java.time.LocalDate.class),
                        rs.getLong("requests"),
                        rs.getLong("succeeded"),
                        rs.getLong("failed"),
                        rs.getLong("prompt_tokens"),
                        rs.getLong("completion_tokens"),
                        rs.getLong("total_tokens"),
                        rs.getLong("cache_hits"),
                        rs.getLong("cached_total_tokens"),
                        rs.getLong("estimated_prompt_tokens"),
                        rs.getLong("counted_prompt_tokens")))
                .list();
    }
}
