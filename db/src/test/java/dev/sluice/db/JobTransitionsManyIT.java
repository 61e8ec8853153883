package dev.sluice.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Ids;
import dev.sluice.db.job.ClaimedJob;
import dev.sluice.db.job.JobTransitions;
import dev.sluice.db.job.JobTransitions.Finish;
import dev.sluice.db.job.Outcome;
import dev.sluice.db.tenant.TenantEntityRepository;
import dev.sluice.testsupport.TestInfrastructure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The group statements a worker claims and finishes many jobs with: each job as its single-job statement would move
 * it, under its own token and with its own outcome, and a row another transaction holds is skipped at once rather
 * than waited for (the worker then runs the single-job statement for it).
 */
@SpringBootTest(classes = DbTestApplication.class)
class JobTransitionsManyIT {

    private static final Instant NOW = Instant.parse("2026-12-04T12:00:00.123456Z");

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
    }

    @Autowired
    TenantEntityRepository tenants;

    @Autowired
    JobTransitions jobs;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TransactionTemplate transaction;

    private String tenantId;

    @BeforeEach
    void tenant() {
        tenantId = Ids.tenant();
        tenants.createTenantWithKey(tenantId, Ids.apiKey(), "t", Ids.random(32).getBytes(), "sk-x", "whsec_x", NOW);
    }

    @Test
    void claimsEveryDueQueuedJobUnderItsOwnTokenAndNoOther() {
        String a = job("queued", null), b = job("queued", null);
        String backingOff = job("queued", "now() + interval '1 minute'");
        String done = job("succeeded", null);
        String unknown = Ids.job();

        List<ClaimedJob> claimed = jobs.claimMany(
                List.of(a, b, backingOff, done, unknown),
                List.of("token-a", "token-b", "token-c", "token-d", "token-e"),
                Duration.ofMinutes(1));

        assertThat(claimed).extracting(ClaimedJob::id).containsExactlyInAnyOrder(a, b);
        assertThat(claimed).allSatisfy(job -> assertThat(job.attempts()).isEqualTo(1));
        assertThat(leaseOwners(a, b, backingOff, done))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        a, "running token-a", b, "running token-b", backingOff, "queued -", done, "succeeded -"));
    }

    @Test
    void aRowAnotherTransactionHoldsIsSkippedWithoutWaiting() throws Exception {
        String locked = job("queued", null), free = job("queued", null);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> transaction.executeWithoutResult(status -> {
            jdbc.sql("SELECT id FROM jobs WHERE id = :id FOR UPDATE")
                    .param("id", locked)
                    .query()
                    .listOfRows();
            holding.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        try {
            long started = System.nanoTime();
            List<ClaimedJob> claimed =
                    jobs.claimMany(List.of(locked, free), List.of("t1", "t2"), Duration.ofMinutes(1));
            long tookMillis = (System.nanoTime() - started) / 1_000_000;

            assertThat(claimed).extracting(ClaimedJob::id).containsExactly(free);
            assertThat(tookMillis).as("did not wait for the lock").isLessThan(5_000);
        } finally {
            release.countDown();
            holder.get(10, TimeUnit.SECONDS);
        }
        assertThat(jobs.claim(locked, "t3", Duration.ofMinutes(1)))
                .as("claimed alone once free")
                .isPresent();
    }

    @Test
    void finishesEachHeldJobWithItsOwnOutcomeAndLeavesAJobItNoLongerHolds() {
        String ok = job("queued", null), bad = job("queued", null), lost = job("queued", null);
        jobs.claimMany(List.of(ok, bad, lost), List.of("t-ok", "t-bad", "t-lost"), Duration.ofMinutes(1));
        Outcome answer = new Outcome(200, "{\"ok\":true}", null, null, 3, 4, 7, 12);
        Outcome refusal = new Outcome(400, "{\"error\":{}}", null, null, null, null, null, 5);
        Outcome timeout = new Outcome(null, null, "request_timeout", "no answer in 10 s", null, null, null, 10_000);

        Set<String> stored = jobs.finishMany(List.of(
                new Finish(ok, "t-ok", true, answer, NOW),
                new Finish(bad, "t-bad", false, refusal, NOW.plusMillis(1)),
                new Finish(lost, "someone-else", false, timeout, NOW)));

        assertThat(stored).containsExactlyInAnyOrder(ok, bad);
        Map<String, Object> okRow = row(ok);
        assertThat(okRow)
                .containsEntry("status", "succeeded")
                .containsEntry("response_status", 200)
                .containsEntry("response_body", "{\"ok\":true}")
                .containsEntry("prompt_tokens", 3)
                .containsEntry("completion_tokens", 4)
                .containsEntry("total_tokens", 7)
                .containsEntry("latency_ms", 12)
                .containsEntry("cached", false)
                .containsEntry("lease_owner", null)
                .containsEntry("completed", NOW.toString());
        assertThat(row(bad))
                .containsEntry("status", "failed")
                .containsEntry("response_status", 400)
                .containsEntry("prompt_tokens", null)
                .containsEntry("completed", NOW.plusMillis(1).toString());
        assertThat(row(lost)).containsEntry("status", "running").containsEntry("lease_owner", "t-lost");
    }

    private String job(String status, String notBefore) {
        String id = Ids.job();
        jdbc.sql("""
                        INSERT INTO jobs (id, tenant_id, url, model, body, status, attempts, created_at, not_before,
                                          completed_at, response_status)
                        VALUES (:id, :tenantId, '/v1/embeddings', 'many-model', '{}', :status, 0, now(), %s,
                                CASE WHEN :status = 'succeeded' THEN now() END,
                                CASE WHEN :status = 'succeeded' THEN 200 END)
                        """.formatted(notBefore == null ? "NULL" : notBefore))
                .param("id", id)
                .param("tenantId", tenantId)
                .param("status", status)
                .update();
        return id;
    }

    private Map<String, String> leaseOwners(String... ids) {
        return jdbc
                .sql("SELECT id, status || ' ' || coalesce(lease_owner, '-') AS owner FROM jobs WHERE id = ANY(:ids)")
                .param("ids", ids)
                .query((rs, n) -> Map.entry(rs.getString("id"), rs.getString("owner")))
                .list()
                .stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private Map<String, Object> row(String id) {
        return jdbc.sql("""
                        SELECT status, response_status, response_body, prompt_tokens, completion_tokens, total_tokens,
                               latency_ms, cached, lease_owner,
                               to_char(completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS completed
                          FROM jobs WHERE id = :id
                        """).param("id", id).query().singleRow();
    }
}
