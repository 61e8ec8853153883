package dev.sluice.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Ids;
import dev.sluice.common.JobMessage;
import dev.sluice.common.JobStatus;
import dev.sluice.common.TokenEstimate;
import dev.sluice.db.batch.BatchRepository;
import dev.sluice.db.batch.BatchTransitions;
import dev.sluice.db.batch.NewBatch;
import dev.sluice.db.file.FileRepository;
import dev.sluice.db.file.ResultKind;
import dev.sluice.db.job.ClaimedJob;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.job.JobRow;
import dev.sluice.db.job.JobTransitions;
import dev.sluice.db.job.NewJob;
import dev.sluice.db.job.Outcome;
import dev.sluice.db.lane.Lane;
import dev.sluice.db.lane.LaneKey;
import dev.sluice.db.lane.LaneRepository;
import dev.sluice.db.tenant.TenantEntityRepository;
import dev.sluice.testsupport.TestInfrastructure;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

@SpringBootTest(classes = DbTestApplication.class)
class JobRepositoryIT {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final Duration LEASE = Duration.ofMinutes(1);
    /** A lease that lapsed a second after it was taken: a claim whose worker died. */
    private static final Duration LAPSED = Duration.ofSeconds(-1);

    private static final int MAX_ATTEMPTS = 5;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
    }

    @Autowired
    TenantEntityRepository tenants;

    @Autowired
    BatchRepository batches;

    @Autowired
    JobRepository jobs;

    @Autowired
    JobTransitions transitions;

    @Autowired
    LaneRepository lanes;

    @Autowired
    BatchTransitions batchTransitions;

    @Autowired
    FileRepository files;

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
    void copyKeepsEveryCharacterOfTheBodyExactly() {
        String body = "{\"model\":\"m\",\"input\":\"tab\\tnl\\n back\\\\slash \\u0000 nul, real\ttab, é ✓ 𝄞\"}";
        String batchId = batchWith(List.of(body, "{\"model\":\"m\",\"input\":\"line\nbreak\r\\N\"}"));

        List<String> stored = jobs.pageByBatch(batchId, null, null, 10).stream()
                .map(j -> j.body())
                .toList();

        assertThat(stored).containsExactly(body, "{\"model\":\"m\",\"input\":\"line\nbreak\r\\N\"}");
    }

    @Test
    void aJobInsertedAloneIsStoredAsCopyStoresIt() {
        String body = "{\"model\":\"m\",\"input\":\"tab\\tnl\\n back\\\\slash \\u0000 nul, real\ttab, é ✓ 𝄞\"}";
        Instant now = NOW.truncatedTo(ChronoUnit.MILLIS);
        for (NewJob job : List.of(
                single(body, "https://example.com/hook", List.of("job.failed"), "mine", new TokenEstimate(12, 34)),
                single("{}", null, null, null, TokenEstimate.UNKNOWN))) {
            NewJob copied = job;
            NewJob inserted = new NewJob(
                    Ids.job(),
                    job.tenantId(),
                    null,
                    null,
                    job.customId(),
                    job.url(),
                    job.model(),
                    job.body(),
                    job.priority(),
                    job.webhookUrl(),
                    job.webhookEvents(),
                    job.tokens());

            transaction.executeWithoutResult(status -> jobs.insertAll(List.of(copied), now));
            transaction.executeWithoutResult(status -> jobs.insert(inserted, now));

            assertThat(jobs.find(tenantId, inserted.id()).orElseThrow())
                    .usingRecursiveComparison()
                    .ignoringFields("id")
                    .isEqualTo(jobs.find(tenantId, copied.id()).orElseThrow());
            assertThat(estimate(inserted.id())).isEqualTo(estimate(copied.id()));
            JobRow stored = jobs.find(tenantId, inserted.id()).orElseThrow();
            assertThat(stored.body()).isEqualTo(job.body());
            assertThat(stored.webhookEvents()).isEqualTo(job.webhookEvents());
            assertThat(stored.status()).isEqualTo(JobStatus.QUEUED);
        }
    }

    @Test
    void aJobIsClaimedOnceAndFinishedOnlyByItsOwner() {
        String batchId = batchWith(List.of("{\"model\":\"m\"}"));
        String jobId = jobs.pageByBatch(batchId, null, null, 1).getFirst().id();

        Optional<ClaimedJob> first = transitions.claim(jobId, "claim-a", LEASE);
        Optional<ClaimedJob> duplicate = transitions.claim(jobId, "claim-b", LEASE);

        assertThat(first).get().extracting(ClaimedJob::attempts).isEqualTo(1);
        assertThat(duplicate).isEmpty();
        Outcome ok = new Outcome(200, "{\"ok\":true}", null, null, 3, 4, 7, 12);
        assertThat(transitions.markSucceeded(jobId, "claim-b", ok, NOW)).isFalse();
        assertThat(transitions.markSucceeded(jobId, "claim-a", ok, NOW)).isTrue();
        assertThat(transitions.markFailed(jobId, "claim-a", ok, NOW)).isFalse();
        assertThat(jobs.find(tenantId, jobId)).get().satisfies(job -> {
            assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(job.totalTokens()).isEqualTo(7);
        });
    }

    @Test
    void aCachedFinishThatLostItsClaimMarksNothingCached() {
        String batchId = batchWith(List.of("{\"model\":\"m\"}"));
        String jobId = jobs.pageByBatch(batchId, null, null, 1).getFirst().id();
        transitions.claim(jobId, "dead-claim", LAPSED);
        transitions.requeueLapsed(MAX_ATTEMPTS, 100);
        transitions.claim(jobId, "live-claim", LEASE);
        Outcome fromCache = new Outcome(200, "{}", null, null, 1, 1, 2, 0, true);

        assertThat(transitions.markSucceeded(jobId, "dead-claim", fromCache, NOW))
                .isFalse();
        assertThat(jobs.find(tenantId, jobId)).get().satisfies(job -> {
            assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
            assertThat(job.cached()).isFalse();
        });

        assertThat(transitions.markSucceeded(jobId, "live-claim", fromCache, NOW))
                .isTrue();
        assertThat(jobs.find(tenantId, jobId)).get().extracting(JobRow::cached).isEqualTo(true);
    }

    @Test
    void aLapsedLeaseIsRescuedAndTheJobCanBeClaimedAgain() {
        String batchId = batchWith(List.of("{\"model\":\"m\"}", "{\"model\":\"m\"}"));
        List<String> ids = jobs.pageByBatch(batchId, null, null, 10).stream()
                .map(JobRow::id)
                .toList();
        transitions.claim(ids.get(0), "live-claim", LEASE);
        transitions.claim(ids.get(1), "dead-claim", LAPSED);

        assertThat(transitions.requeueLapsed(MAX_ATTEMPTS, 100)).isEqualTo(1);
        assertThat(transitions.requeueLapsed(MAX_ATTEMPTS, 100)).isZero();

        assertThat(jobs.find(tenantId, ids.get(0)))
                .get()
                .extracting(JobRow::status)
                .isEqualTo(JobStatus.RUNNING);
        assertThat(transitions.claim(ids.get(1), "next-claim", LEASE))
                .get()
                .extracting(ClaimedJob::attempts)
                .isEqualTo(2);
        assertThat(transitions.markSucceeded(
                        ids.get(1), "dead-claim", new Outcome(200, "{}", null, null, null, null, null, 1), NOW))
                .isFalse();
    }

    @Test
    void aClaimMarksAJobPublishedThatItsPublisherHadNotMarkedYet() {
        String batchId = batchWith(List.of("{\"model\":\"m\"}", "{\"model\":\"m\"}"));
        List<String> ids = jobs.pageByBatch(batchId, null, null, 2).stream()
                .map(JobRow::id)
                .toList();
        Instant later = Instant.now().plus(Duration.ofDays(1));
        assertThat(unpublished(later)).containsAll(ids);

        // Taken before the publisher marked them (a worker busy on the lane, or rung by a lane entered ahead): one
        // claimed alone, one with the many-claims statement of a take; both put back for a retry.
        transitions.claim(ids.get(0), "claim", LEASE);
        transitions.claimMany(List.of(ids.get(1)), List.of("take-claim"), LEASE);
        assertThat(transitions.requeue(ids.get(0), "claim", Duration.ZERO, false))
                .isTrue();
        assertThat(transitions.requeue(ids.get(1), "take-claim", Duration.ZERO, false))
                .isTrue();

        assertThat(unpublished(later))
                .as("each keeps the message it was claimed for")
                .doesNotContainAnyElementsOf(ids);
    }

    @Test
    void aRescuedJobIsUnpublishedUntilANewMessageIsConfirmed() {
        String batchId = batchWith(List.of("{\"model\":\"m\"}"));
        String jobId = jobs.pageByBatch(batchId, null, null, 1).getFirst().id();
        jobs.markPublished(List.of(jobId));
        Instant later = Instant.now().plus(Duration.ofDays(1));
        assertThat(unpublished(later)).doesNotContain(jobId);

        transitions.claim(jobId, "claim", LEASE);
        assertThat(transitions.requeue(jobId, "claim", Duration.ZERO, false)).isTrue();
        assertThat(unpublished(later)).as("a retry keeps its message").doesNotContain(jobId);

        transitions.claim(jobId, "dead-claim", LAPSED);
        transitions.requeueLapsed(MAX_ATTEMPTS, 100);
        assertThat(unpublished(later)).as("a rescued job needs a new message").contains(jobId);

        jobs.markPublished(List.of(jobId));
        assertThat(unpublished(later)).doesNotContain(jobId);
    }

    @Test
    void aConfirmedJobsLaneEntersAndTheJobIsMarkedPublishedInOneCall() {
        String model = "test/" + UUID.randomUUID();
        String batchId = batchWith(List.of("{\"model\":\"m\"}"));
        String jobId = jobs.pageByBatch(batchId, null, null, 1).getFirst().id();
        Instant later = Instant.now().plus(Duration.ofDays(1));
        assertThat(unpublished(later)).contains(jobId);

        lanes.enterPublished(List.of(new LaneKey(model, tenantId)), List.of(jobId));

        assertThat(unpublished(later)).doesNotContain(jobId);
        List<Lane> waiting = transaction.execute(status -> lanes.lock(model));
        assertThat(waiting).extracting(Lane::tenantId).containsExactly(tenantId);
    }

    @Test
    void aSingleJobsLaneEnteredAheadEntersAgainAfterItsConfirmOnlyWhileNoWorkerHasClaimedIt() {
        // The job's lane model is the job's own ("m"), as the api enters it.
        NewJob queued = single("{}", null, null, null, TokenEstimate.UNKNOWN);
        String otherTenant = Ids.tenant();
        tenants.createTenantWithKey(
                otherTenant, Ids.apiKey(), "o", Ids.random(32).getBytes(), "sk-y", "whsec_y", NOW);
        NewJob elsewhere = TestJobs.facadeCall(otherTenant);
        transaction.executeWithoutResult(status -> {
            // In the storing transaction: the job, then its lane, ahead of the message.
            jobs.insert(queued, NOW);
            lanes.enterAhead(new LaneKey("m", tenantId));
            jobs.insert(elsewhere, NOW);
        });
        Instant later = Instant.now().plus(Duration.ofDays(1));
        assertThat(laneTenants("m")).contains(tenantId).doesNotContain(otherTenant);

        // A take came before the message and found the lane empty: it left. The confirm enters it again.
        transaction.executeWithoutResult(status -> {
            lanes.lock("m");
            lanes.leave("m", List.of(tenantId));
        });
        lanes.enterPublishedUnlessClaimed(queued.id());
        assertThat(laneTenants("m")).contains(tenantId);
        assertThat(unpublished(later)).doesNotContain(queued.id());

        // A take that got the message claimed the job, which marks it published: its confirm does not enter the lane.
        transitions.claim(elsewhere.id(), "w", LEASE);
        lanes.enterPublishedUnlessClaimed(elsewhere.id());
        assertThat(laneTenants("m")).doesNotContain(otherTenant);
        assertThat(jdbc.sql("SELECT published_at IS NOT NULL FROM jobs WHERE id = :id")
                        .param("id", elsewhere.id())
                        .query(Boolean.class)
                        .single())
                .isTrue();
    }

    @Test
    void theEntryAfterAConfirmWaitsForATakeInProgressAndDoesNotEnterTheLaneOfTheJobItTook() throws Exception {
        NewJob job = single("{}", null, null, null, TokenEstimate.UNKNOWN);
        transaction.executeWithoutResult(status -> {
            jobs.insert(job, NOW);
            lanes.enterAhead(new LaneKey("m", tenantId));
        });
        CountDownLatch took = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            // A worker's take got the message while the broker confirmed it: it holds the model's lanes, claims the
            // job, and leaves the lane (that was its last message), but has not committed yet.
            Future<?> take = threads.submit(() -> transaction.executeWithoutResult(status -> {
                lanes.lock("m");
                assertThat(transitions.claimMany(List.of(job.id()), List.of("take"), LEASE))
                        .hasSize(1);
                lanes.leave("m", List.of(tenantId));
                took.countDown();
                try {
                    commit.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
            try {
                assertThat(took.await(10, TimeUnit.SECONDS)).isTrue();
                Future<?> confirmed = threads.submit(() -> lanes.enterPublishedUnlessClaimed(job.id()));
                Awaitility.await()
                        .atMost(Duration.ofSeconds(10))
                        .untilAsserted(
                                () -> assertThat(jdbc.sql("""
                                        SELECT count(*) FROM pg_stat_activity
                                         WHERE datname = current_database() AND wait_event_type = 'Lock'
                                        """).query(Long.class).single())
                                        .as("the entry waits for the take")
                                        .isEqualTo(1));
                commit.countDown();
                take.get(10, TimeUnit.SECONDS);
                confirmed.get(10, TimeUnit.SECONDS);
            } finally {
                commit.countDown();
            }
        }
        assertThat(laneTenants("m"))
                .as("the lane is not entered again for a message already taken")
                .doesNotContain(tenantId);
    }

    private List<String> laneTenants(String model) {
        return transaction.execute(status -> lanes.lock(model)).stream()
                .map(Lane::tenantId)
                .toList();
    }

    @Test
    void onlyOneFinaliserWinsAndOnlyWhenNothingIsLeft() {
        String batchId = batchWith(List.of("{\"model\":\"m\"}", "{\"model\":\"m\"}"));
        List<String> ids = jobs.pageByBatch(batchId, null, null, 10).stream()
                .map(j -> j.id())
                .toList();
        Outcome ok = new Outcome(200, "{\"n\":1}", null, null, 1, 1, 2, 5);
        transitions.claim(ids.get(0), "w", LEASE);
        transitions.markSucceeded(ids.get(0), "w", ok, NOW);

        assertThat(batchTransitions.tryStartFinalizing(batchId, NOW)).isFalse();

        transitions.claim(ids.get(1), "w", LEASE);
        transitions.markFailed(ids.get(1), "w", new Outcome(400, "not json", null, null, null, null, null, 5), NOW);
        assertThat(batchTransitions.tryStartFinalizing(batchId, NOW)).isTrue();
        assertThat(batchTransitions.tryStartFinalizing(batchId, NOW)).isFalse();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long bytes = files.writeResults(batchId, ResultKind.ERROR, out);
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(bytes).isEqualTo(out.size());
        assertThat(text)
                .contains("\"status_code\":400")
                .contains("\"body\":\"not json\"")
                .endsWith("\n");
    }

    private List<String> unpublished(Instant createdBefore) {
        return jobs.unpublishedDue(createdBefore, NOW, 1000).stream()
                .map(JobMessage::jobId)
                .toList();
    }

    private NewJob single(
            String body, String webhookUrl, List<String> webhookEvents, String customId, TokenEstimate tokens) {
        return new NewJob(
                Ids.job(),
                tenantId,
                null,
                null,
                customId,
                "/v1/chat/completions",
                "m",
                body,
                10,
                webhookUrl,
                webhookEvents,
                tokens);
    }

    /** A job's stored token estimate, "prompt/max output". */
    private String estimate(String jobId) {
        return jdbc.sql("SELECT prompt_tokens_estimate || '/' || coalesce(max_output_tokens::text, '-') FROM jobs"
                        + " WHERE id = :id")
                .param("id", jobId)
                .query(String.class)
                .single();
    }

    private String batchWith(List<String> bodies) {
        String batchId = Ids.batch();
        transaction.executeWithoutResult(status -> {
            batches.insert(new NewBatch(
                    batchId,
                    tenantId,
                    "/v1/embeddings",
                    "24h",
                    null,
                    null,
                    null,
                    0,
                    bodies.size(),
                    NOW,
                    NOW.plus(Duration.ofHours(24))));
            List<NewJob> list = new ArrayList<>();
            for (int i = 0; i < bodies.size(); i++) {
                list.add(new NewJob(
                        Ids.job(), tenantId, batchId, i + 1, "c" + i, "/v1/embeddings", "m", bodies.get(i), 0, null));
            }
            jobs.insertAll(list, NOW.truncatedTo(ChronoUnit.MILLIS));
        });
        return batchId;
    }
}
