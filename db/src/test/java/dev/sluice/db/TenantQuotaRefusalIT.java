package dev.sluice.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.common.Ids;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.job.NewJob;
import dev.sluice.db.tenant.QuotaLeaseRepository;
import dev.sluice.db.tenant.TenantEntityRepository;
import dev.sluice.db.tenant.TenantQuotaRepository;
import dev.sluice.testsupport.TestInfrastructure;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The storing round trip of a single job (V34): the count after the tenant's lock refuses over a quota by itself, the
 * statements after it are skipped and the transaction rolls back; under the quotas everything is written.
 */
@SpringBootTest(classes = DbTestApplication.class)
class TenantQuotaRefusalIT {

    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    private static final Duration LEASE = Duration.ofMinutes(1);

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
    }

    @Autowired
    TenantEntityRepository tenants;

    @Autowired
    TenantQuotaRepository quotas;

    @Autowired
    TransactionTemplate transaction;

    @Autowired
    JdbcClient jdbc;

    private String tenantId;

    @BeforeEach
    void tenant() {
        tenantId = Ids.tenant();
        tenants.createTenantWithKey(tenantId, Ids.apiKey(), "t", Ids.random(32).getBytes(), "sk-x", "whsec_x", NOW);
    }

    @Test
    void aJobAndItsLeaseAreStoredUnderTheQuotasAndNothingIsOverEither() {
        // The tenant's own waiting-calls limit (2) beats the default passed (5).
        jdbc.sql("UPDATE tenants SET quota_waiting_facade_calls = 2 WHERE id = :id")
                .param("id", tenantId)
                .update();

        store("ql_1", 5, 5);
        store("ql_2", 5, 5);
        assertThat(count("jobs")).isEqualTo(2);
        assertThat(count("quota_leases")).isEqualTo(2);

        assertThatThrownBy(() -> store("ql_3", 5, 5))
                .isInstanceOfSatisfying(TenantQuotaRepository.Refused.class, refused -> {
                    assertThat(refused.quota()).isEqualTo("waiting_facade_calls");
                    assertThat(refused.limit()).isEqualTo(2);
                    assertThat(refused.used()).isEqualTo(2);
                    assertThat(refused.requested()).isEqualTo(1);
                });
        jdbc.sql("UPDATE tenants SET quota_waiting_facade_calls = NULL WHERE id = :id")
                .param("id", tenantId)
                .update();
        // Back to the defaults: five waiting calls, and two unfinished jobs, the new one counted.
        assertThatThrownBy(() -> store("ql_4", 5, 2))
                .isInstanceOfSatisfying(TenantQuotaRepository.Refused.class, refused -> {
                    assertThat(refused.quota()).isEqualTo("queued_jobs");
                    assertThat(refused.limit()).isEqualTo(2);
                    assertThat(refused.used()).isEqualTo(2);
                    assertThat(refused.requested()).isEqualTo(1);
                });
        assertThat(count("jobs")).as("a refused job is rolled back").isEqualTo(2);
        assertThat(count("quota_leases")).as("and its lease with it").isEqualTo(2);
    }

    @Test
    void aJobWhoseCallerHoldsItsPlaceAlreadyIsCheckedAgainstTheQueuedJobsQuotaAlone() {
        transaction.executeWithoutResult(status -> quotas.sendRefusing(Pipelined.together(
                insertion(), TenantQuotaRepository.refusingOverJobs(tenantId, 1, 1), Pipelined.Statement.COMMIT)));

        assertThatThrownBy(() -> transaction.executeWithoutResult(status -> quotas.sendRefusing(Pipelined.together(
                        insertion(),
                        TenantQuotaRepository.refusingOverJobs(tenantId, 1, 1),
                        Pipelined.Statement.COMMIT))))
                .isInstanceOfSatisfying(TenantQuotaRepository.Refused.class, refused -> {
                    assertThat(refused.quota()).isEqualTo("queued_jobs");
                    assertThat(refused.limit()).isEqualTo(1);
                    assertThat(refused.used()).isEqualTo(1);
                });
        assertThat(count("jobs")).isEqualTo(1);
    }

    /** One job with its waiting-call lease, in one round trip, against the default limits given. */
    private void store(String leaseId, long leaseDefault, long queuedJobsDefault) {
        NewJob job = job();
        transaction.executeWithoutResult(status -> quotas.sendRefusing(Pipelined.together(
                JobRepository.insertion(job, NOW),
                TenantQuotaRepository.refusingOverLeasesAndJobs(
                        tenantId, 1, queuedJobsDefault, "waiting_facade_calls", leaseDefault),
                QuotaLeaseRepository.insertion(leaseId, tenantId, "waiting_facade_calls", LEASE, job.id()),
                Pipelined.Statement.COMMIT)));
    }

    private Pipelined.Statement insertion() {
        return JobRepository.insertion(job(), NOW);
    }

    private NewJob job() {
        return TestJobs.facadeCall(tenantId);
    }

    private long count(String table) {
        return jdbc.sql("SELECT count(*) FROM " + table + " WHERE tenant_id = :id")
                .param("id", tenantId)
                .query(Long.class)
                .single();
    }
}
