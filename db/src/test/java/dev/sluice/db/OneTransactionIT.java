package dev.sluice.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.common.Ids;
import dev.sluice.common.Limit;
import dev.sluice.db.batch.BatchRepository;
import dev.sluice.db.batch.NewBatch;
import dev.sluice.db.file.FileEntityRepository;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.job.NewJob;
import dev.sluice.db.ratelimit.RateLimitEvent;
import dev.sluice.db.ratelimit.RateLimitEventEntityRepository;
import dev.sluice.db.ratelimit.RateLimitEventRepository;
import dev.sluice.db.tenant.TenantEntityRepository;
import dev.sluice.testsupport.TestInfrastructure;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.TransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * JPA repositories, {@code JdbcClient} and COPY share one transaction under the one (JPA) transaction manager:
 * what they write together is committed together or rolled back together, and each sees the others' uncommitted
 * rows while no other connection does. This is the api-service's setup (JPA on the classpath); the worker, without
 * JPA, has Spring Boot's {@code DataSourceTransactionManager} instead (its {@code PersistenceWithoutJpaIT}).
 */
@SpringBootTest(classes = DbTestApplication.class)
class OneTransactionIT {

    private static final Instant NOW = Instant.parse("2026-12-04T08:00:00Z");

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
    }

    @Autowired
    ApplicationContext context;

    @Autowired
    TransactionTemplate transaction;

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TenantEntityRepository tenants;

    @Autowired
    FileEntityRepository files;

    @Autowired
    RateLimitEventRepository rateLimitLog;

    @Autowired
    RateLimitEventEntityRepository rateLimitEvents;

    @Autowired
    BatchRepository batches;

    @Autowired
    JobRepository jobs;

    @Test
    void thereIsOneTransactionManagerAndItIsJpas() {
        assertThat(context.getBeansOfType(TransactionManager.class).values())
                .singleElement()
                .isInstanceOf(JpaTransactionManager.class);
    }

    @Test
    void aRollbackUndoesWhatJpaJdbcClientAndCopyWrote() {
        Written written = new Written();

        assertThatThrownBy(() -> transaction.executeWithoutResult(status -> {
                    writeEverything(written);
                    // Inside the transaction each path sees the others' rows; another connection sees none of them.
                    assertThat(jdbc.sql("SELECT count(*) FROM tenants WHERE id = :id")
                                    .param("id", written.tenantId)
                                    .query(Integer.class)
                                    .single())
                            .isOne();
                    assertThat(tenants.findById(written.tenantId)).isPresent();
                    assertThat(files.find(written.tenantId, written.fileId)).isPresent();
                    assertThat(countOnAnotherConnection(written)).containsOnly(0);
                    throw new IllegalStateException("roll back");
                }))
                .hasMessage("roll back");

        assertThat(counts(written)).containsOnly(0);
        assertThat(tenants.findById(written.tenantId)).isEmpty();
        assertThat(files.find(written.tenantId, written.fileId)).isEmpty();
    }

    @Test
    void aCommitKeepsEverythingTheyWrote() {
        Written written = new Written();

        transaction.executeWithoutResult(status -> writeEverything(written));

        assertThat(counts(written)).containsOnly(1).hasSize(6);
        assertThat(jobs.pageByBatch(written.batchId, null, null, 10)).hasSize(2);
        assertThat(tenants.findById(written.tenantId)).isPresent();
        assertThat(files.find(written.tenantId, written.fileId))
                .get()
                .satisfies(file -> assertThat(file.bytes()).isEqualTo(42));
        assertThat(rateLimitEvents.recent(written.model, null, 10))
                .singleElement()
                .satisfies(event -> assertThat(event.learned()).isEqualTo(Limit.parse("15/60s")));
    }

    /** One write per path: JPA (tenant, key, file, a JPQL update), JdbcClient (batch, 429 event) and COPY (jobs). */
    private void writeEverything(Written w) {
        tenants.createTenantWithKey(w.tenantId, w.keyId, "t", Ids.random(32).getBytes(), "sk-x", "whsec_x", NOW);
        batches.insert(new NewBatch(
                w.batchId,
                w.tenantId,
                "/v1/embeddings",
                "24h",
                null,
                null,
                null,
                0,
                2,
                NOW,
                NOW.plus(Duration.ofHours(24))));
        jobs.insertAll(
                List.of(
                        new NewJob(Ids.job(), w.tenantId, w.batchId, 1, "a", "/v1/embeddings", w.model, "{}", 0, null),
                        new NewJob(Ids.job(), w.tenantId, w.batchId, 2, "b", "/v1/embeddings", w.model, "{}", 0, null)),
                NOW);
        files.insertInputFile(w.fileId, w.tenantId, "in.jsonl", NOW);
        files.setBytes(w.fileId, 42);
        rateLimitLog.record(new RateLimitEvent(
                0,
                w.model,
                "cred",
                null,
                NOW,
                "429",
                Duration.ofSeconds(3),
                Limit.parse("15/60s"),
                NOW.plusSeconds(3)));
    }

    private List<Integer> counts(Written w) {
        return w.countQueries().entrySet().stream()
                .map(query -> jdbc.sql(query.getKey())
                        .param("id", query.getValue())
                        .query(Integer.class)
                        .single())
                .map(n -> Math.min(n, 1))
                .toList();
    }

    private List<Integer> countOnAnotherConnection(Written w) {
        try (Connection other = dataSource.getConnection()) {
            return w.countQueries().entrySet().stream()
                    .map(query -> {
                        try (var statement =
                                other.prepareStatement(query.getKey().replace(":id", "?"))) {
                            statement.setString(1, query.getValue());
                            try (ResultSet rs = statement.executeQuery()) {
                                rs.next();
                                return rs.getInt(1);
                            }
                        } catch (SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .toList();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Written {
        final String tenantId = Ids.tenant();
        final String keyId = Ids.apiKey();
        final String batchId = Ids.batch();
        final String fileId = Ids.file();
        final String model = "one-tx-" + Ids.random(8);

        Map<String, String> countQueries() {
            return Map.of(
                    "SELECT count(*) FROM tenants WHERE id = :id", tenantId,
                    "SELECT count(*) FROM api_keys WHERE id = :id", keyId,
                    "SELECT count(*) FROM batches WHERE id = :id", batchId,
                    "SELECT least(count(*), 1) FROM jobs WHERE batch_id = :id", batchId,
                    "SELECT count(*) FROM files WHERE id = :id", fileId,
                    "SELECT count(*) FROM rate_limit_events WHERE model = :id", model);
        }
    }
}
