package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static dev.sluice.api.FinishedJobs.finish;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@code GET /admin/usage}: by tenant × model × day, and always the sum over the jobs, cache hits included. */
class AdminUsageIT extends ApiTestBase {

    @Test
    void usageEqualsTheSumOverTheJobs() {
        String modelA = uniqueModel("usage-a");
        String modelB = uniqueModel("usage-b");
        String one = createBatch(
                newTenantKey(),
                aChatBatch().requests(3, modelA).request("b0", modelB).json());
        String two =
                createBatch(newTenantKey(), aChatBatch().requests(2, modelA).json());
        finish(jdbc)
                .succeeded(one, 1)
                .succeeded(one, 2)
                .failed(one, 3)
                .succeeded(one, 4)
                .succeeded(two, 1);
        // A job that finished yesterday with other token counts; line 2 of "two" stays queued and counts nowhere.
        jdbc.sql("""
                UPDATE jobs SET prompt_tokens = 100, completion_tokens = 20, total_tokens = 120,
                       completed_at = now() - interval '1 day'
                 WHERE batch_id = :id AND line_no = 2""").param("id", one).update();
        // Two of the jobs were answered from the response cache.
        jdbc.sql("UPDATE jobs SET cached = true WHERE batch_id = :id AND line_no IN (1, 4)")
                .param("id", one)
                .update();
        LocalDate today = LocalDate.now(ZoneOffset.UTC);

        JsonNode report = expect(200, get("/admin/usage?from=" + today.minusDays(1) + "&to=" + today, ADMIN_KEY))
                .json();

        Map<String, long[]> reported = new HashMap<>();
        for (JsonNode row : report.get("data")) {
            String model = row.get("model").asString();
            if (model.equals(modelA) || model.equals(modelB)) {
                reported.put(
                        row.get("tenant_id").asString() + "/" + model + "/"
                                + row.get("day").asString(),
                        new long[] {
                            row.get("requests").asLong(),
                            row.get("prompt_tokens").asLong(),
                            row.get("completion_tokens").asLong(),
                            row.get("total_tokens").asLong(),
                            row.get("cache_hits").asLong(),
                            row.get("cached_total_tokens").asLong()
                        });
            }
        }
        Map<String, long[]> summed = new HashMap<>();
        jdbc.sql("""
                SELECT tenant_id || '/' || model || '/' || CAST(completed_at AT TIME ZONE 'UTC' AS date) AS k,
                       count(*) AS n, sum(coalesce(prompt_tokens, 0)) AS p, sum(coalesce(completion_tokens, 0)) AS c,
                       sum(coalesce(total_tokens, 0)) AS t, count(*) FILTER (WHERE cached) AS h,
                       coalesce(sum(total_tokens) FILTER (WHERE cached), 0) AS ht
                  FROM jobs WHERE model IN (:models) AND status IN ('succeeded', 'failed') GROUP BY 1""")
                .param("models", List.of(modelA, modelB))
                .query((rs, n) -> summed.put(rs.getString("k"), new long[] {
                    rs.getLong("n"),
                    rs.getLong("p"),
                    rs.getLong("c"),
                    rs.getLong("t"),
                    rs.getLong("h"),
                    rs.getLong("ht")
                }))
                .list();
        assertThat(reported.keySet()).isEqualTo(summed.keySet()).hasSize(4);
        summed.forEach((k, sums) -> assertThat(reported.get(k)).as(k).containsExactly(sums));

        String tenantOne = tenantOf(one);
        JsonNode yesterday = expect(
                        200,
                        get(
                                "/admin/usage?from=" + today.minusDays(1) + "&to=" + today.minusDays(1) + "&tenant="
                                        + tenantOne,
                                ADMIN_KEY))
                .json();
        assertThat(yesterday.get("data")).hasSize(1);
        // Each row names its tenant as well as giving its id.
        assertThat(yesterday.get("data").get(0).get("tenant_name").asString()).isEqualTo("tenant under test");
        for (JsonNode row : report.get("data")) {
            assertThat(row.get("tenant_name").asString())
                    .as("tenant_name of %s", row)
                    .isEqualTo(jdbc.sql("SELECT name FROM tenants WHERE id = :id")
                            .param("id", row.get("tenant_id").asString())
                            .query(String.class)
                            .single());
        }
        assertThat(yesterday.get("data").get(0).get("total_tokens").asLong()).isEqualTo(120);
        assertThat(yesterday.get("totals").get("requests").asLong()).isEqualTo(1);

        JsonNode modelOnly =
                expect(200, get("/admin/usage?model=" + modelA, ADMIN_KEY)).json();
        assertThat(modelOnly.get("to").asString()).isEqualTo(today.toString());
        assertThat(modelOnly.get("totals").get("requests").asLong()).isEqualTo(4);
        assertThat(modelOnly.get("totals").get("total_tokens").asLong()).isEqualTo(8 + 120 + 8);
        assertThat(modelOnly.get("totals").get("cache_hits").asLong()).isEqualTo(1);
        assertThat(modelOnly.get("totals").get("cached_total_tokens").asLong()).isEqualTo(8);
        JsonNode onlyB =
                expect(200, get("/admin/usage?model=" + modelB, ADMIN_KEY)).json();
        assertThat(onlyB.get("data").get(0).get("cache_hits").asLong()).isEqualTo(1);
        assertThat(onlyB.get("totals").get("cache_hits").asLong()).isEqualTo(1);
    }

    @Test
    void refusesBadRanges() {
        assertThat(expect(400, get("/admin/usage?from=yesterday", ADMIN_KEY))
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("from");
        expect(400, get("/admin/usage?from=2025-02-02&to=2025-02-01", ADMIN_KEY));
        expect(400, get("/admin/usage?from=2020-01-01&to=2025-01-01", ADMIN_KEY));
        expect(400, get("/admin/usage?tenant=a%20b", ADMIN_KEY));
        // Days PostgreSQL or date arithmetic cannot hold are a 400 too, not a 500.
        assertThat(expect(400, get("/admin/usage?from=2025-01-01&to=%2B999999999-12-31", ADMIN_KEY))
                        .error()
                        .get("code")
                        .asString())
                .isEqualTo("invalid_date");
        expect(400, get("/admin/usage?from=-5000-01-01&to=-5000-01-01", ADMIN_KEY));
    }

    private String tenantOf(String batchId) {
        return jdbc.sql("SELECT tenant_id FROM batches WHERE id = :id")
                .param("id", batchId)
                .query(String.class)
                .single();
    }
}
