package dev.sluice.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Ids;
import dev.sluice.common.JobStatus;
import dev.sluice.db.batch.BatchRepository;
import dev.sluice.db.batch.NewBatch;
import dev.sluice.db.file.FileRepository;
import dev.sluice.db.file.ResultKind;
import dev.sluice.db.job.ClaimedJob;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.job.NewJob;
import dev.sluice.db.job.JobRow;
import dev.sluice.db.job.Outcome;
import dev.sluice.db.tenant.TenantRepository;
import dev.sluice.testsupport.TestInfrastructure;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

@SpringBootTest(classes = DbTestApplication.class)
class JobRepositoryIT {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
    }

    @Autowired TenantRepository tenants;
    @Autowired BatchRepository batches;
    @Autowired JobRepository jobs;
    @Autowired FileRepository files;
    @Autowired TransactionTemplate transaction;

    private String tenantId;

    @BeforeEach
    void tenant() {
        tenantId = Ids.tenant();
        tenants.createTenantWithKey(tenantId, Ids.apiKey(), "t", Ids.random(32).getBytes(), "sk-x", "whsec_x", NOW);
    }

    @Test
    void copyKeepsEveryCharacterOfTheBodyExactly() {
        String body = "{\"model\":\"m\",\"input\":\"tab\\tnl\\n back\\\\slash \\u0000 nul, real\ttab, é ✓ 𝄞\"}";
        String batchId = batchWith(List.of(body, "{\"model\":\"m\",\"input\":\"line\nbreak\r\\N\"}"));

        List<String> stored = jobs.pageByBatch(batchId, null, null, 10).stream().map(j -> j.body()).toList();

        assertThat(stored).containsExactly(body, "{\"model\":\"m\",\"input\":\"line\nbreak\r\\N\"}");
    }

    @Test
    void aJobIsClaimedOnceAndFinishedOnlyByItsOwner() {
        String batchId = batchWith(List.of("{\"model\":\"m\"}"));
        String jobId = jobs.pageByBatch(batchId, null, null, 1).getFirst().id();

        Optional<ClaimedJob> first = jobs.claim(jobId, "worker-a", NOW.plusSeconds(60), NOW);
        Optional<ClaimedJob> duplicate = jobs.claim(jobId, "worker-b", NOW.plusSeconds(60), NOW);

        assertThat(first).get().extracting(ClaimedJob::attempts).isEqualTo(1);
        assertThat(duplicate).isEmpty();
        Outcome ok = new Outcome(200, "{\"ok\":true}", null, null, 3, 4, 7, 12);
        assertThat(jobs.markSucceeded(jobId, "worker-b", ok, NOW)).isFalse();
        assertThat(jobs.markSucceeded(jobId, "worker-a", ok, NOW)).isTrue();
        assertThat(jobs.markFailed(jobId, "worker-a", ok, NOW)).isFalse();
        assertThat(jobs.find(tenantId, jobId)).get().satisfies(job -> {
            assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(job.totalTokens()).isEqualTo(7);
        });
    }

    @Test
    void aCachedFinishThatLostItsClaimMarksNothingCached() {
        String batchId = batchWith(List.of("{\"model\":\"m\"}"));
        String jobId = jobs.pageByBatch(batchId, null, null, 1).getFirst().id();
        jobs.claim(jobId, "dead-worker", NOW.plusSeconds(30), NOW);
        jobs.rescueExpiredLeases(NOW.plusSeconds(31), 100);
        jobs.claim(jobId, "live-worker", NOW.plusSeconds(90), NOW.plusSeconds(32));
        Outcome fromCache = new Outcome(200, "{}", null, null, 1, 1, 2, 0, true);

        assertThat(jobs.markSucceeded(jobId, "dead-worker", fromCache, NOW.plusSeconds(33))).isFalse();
        assertThat(jobs.find(tenantId, jobId)).get().satisfies(job -> {
            assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
            assertThat(job.cached()).isFalse();
        });

        assertThat(jobs.markSucceeded(jobId, "live-worker", fromCache, NOW.plusSeconds(34))).isTrue();
        assertThat(jobs.find(tenantId, jobId)).get().extracting(JobRow::cached).isEqualTo(true);
    }

    @Test
    void anExpiredLeaseIsRescuedAndTheJobCanBeClaimedAgain() {
        String batchId = batchWith(List.of("{\"model\":\"m\"}"));
        String jobId = jobs.pageByBatch(batchId, null, null, 1).getFirst().id();
        jobs.claim(jobId, "dead-worker", NOW.plusSeconds(30), NOW);

        assertThat(jobs.rescueExpiredLeases(NOW.plusSeconds(10), 100)).isZero();
        assertThat(jobs.rescueExpiredLeases(NOW.plusSeconds(31), 100)).isEqualTo(1);

        assertThat(jobs.claim(jobId, "live-worker", NOW.plusSeconds(90), NOW.plusSeconds(32)))
                .get().extracting(ClaimedJob::attempts).isEqualTo(2);
        assertThat(jobs.markSucceeded(jobId, "dead-worker", new Outcome(200, "{}", null, null, null, null, null, 1),
                NOW.plusSeconds(33))).isFalse();
    }

    @Test
    void onlyOneFinaliserWinsAndOnlyWhenNothingIsLeft() {
        String batchId = batchWith(List.of("{\"model\":\"m\"}", "{\"model\":\"m\"}"));
        List<String> ids = jobs.pageByBatch(batchId, null, null, 10).stream().map(j -> j.id()).toList();
        Outcome ok = new Outcome(200, "{\"n\":1}", null, null, 1, 1, 2, 5);
        jobs.claim(ids.get(0), "w", NOW.plusSeconds(60), NOW);
        jobs.markSucceeded(ids.get(0), "w", ok, NOW);

        assertThat(batches.tryStartFinalizing(batchId, NOW)).isFalse();

        jobs.claim(ids.get(1), "w", NOW.plusSeconds(60), NOW);
        jobs.markFailed(ids.get(1), "w", new Outcome(400, "not json", null, null, null, null, null, 5), NOW);
        assertThat(batches.tryStartFinalizing(batchId, NOW)).isTrue();
        assertThat(batches.tryStartFinalizing(batchId, NOW)).isFalse();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long bytes = files.writeResults(batchId, ResultKind.ERROR, out);
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(bytes).isEqualTo(out.size());
        assertThat(text).contains("\"status_code\":400").contains("\"body\":\"not json\"").endsWith("\n");
    }

    private String batchWith(List<String> bodies) {
        String batchId = Ids.batch();
        transaction.executeWithoutResult(status -> {
            batches.insert(new NewBatch(batchId, tenantId, "/v1/embeddings", "24h", null, null, null, 0,
                    bodies.size(), NOW, NOW.plus(Duration.ofHours(24))));
            List<NewJob> list = new ArrayList<>();
            for (int i = 0; i < bodies.size(); i++) {
                list.add(new NewJob(Ids.job(), tenantId, batchId, i + 1, "c" + i, "/v1/embeddings", "m",
                        bodies.get(i), 0, null));
            }
            jobs.insertAll(list, NOW.truncatedTo(ChronoUnit.MILLIS));
        });
        return batchId;
    }
}
