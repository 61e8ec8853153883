package dev.sluice.db.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Ids;
import dev.sluice.db.PersistenceConfiguration;
import dev.sluice.db.TestJobs;
import dev.sluice.db.Timestamps;
import dev.sluice.db.job.ClaimedJob;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.job.JobTransitions;
import dev.sluice.db.job.NewJob;
import dev.sluice.db.job.Outcome;
import dev.sluice.db.operations.QueueStats;
import dev.sluice.db.operations.QueueStatsRepository;
import dev.sluice.db.tenant.TenantEntityRepository;
import dev.sluice.testsupport.TestInfrastructure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The counts kept in {@code batch_job_counts} (V19) against a count of the jobs themselves: after every
 * {@link JobTransitions} move, under concurrent workers, and in every snapshot a reader takes meanwhile. And the
 * count read polling uses reads no job: its plan has no {@code jobs} in it and costs the same at 10 jobs as at 50,000.
 */
@SpringBootTest(classes = BatchJobCountsIT.App.class)
class BatchJobCountsIT {

    /** The smallest context that migrates a database and holds the repositories. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(PersistenceConfiguration.class)
    static class App {}

    private static final Instant NOW = Instant.parse("2026-12-04T08:00:00Z");
    private static final Duration LEASE = Duration.ofMinutes(5);

    /** The batch's jobs by state and its token sums, per model, counted from the jobs. */
    private static final String RECOUNT = """
            SELECT model,
                   count(*) FILTER (WHERE status = 'queued')    AS queued,
                   count(*) FILTER (WHERE status = 'running')   AS running,
                   count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
                   count(*) FILTER (WHERE status = 'failed')    AS failed,
                   count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
                   count(*) FILTER (WHERE status = 'expired')   AS expired,
                   coalesce(sum(prompt_tokens), 0) || '/' || coalesce(sum(completion_tokens), 0) || '/'
                       || coalesce(sum(total_tokens), 0) AS tokens
              FROM jobs WHERE batch_id = :batchId GROUP BY model
            """;

    /** The same from the kept counts, leaving out models with nothing (as a recount would). */
    private static final String KEPT = """
            SELECT model, sum(queued) AS queued, sum(running) AS running, sum(succeeded) AS succeeded,
                   sum(failed) AS failed, sum(cancelled) AS cancelled, sum(expired) AS expired,
                   sum(prompt_tokens) || '/' || sum(completion_tokens) || '/' || sum(total_tokens) AS tokens
              FROM batch_job_counts WHERE batch_id = :batchId GROUP BY model
            HAVING sum(queued + running + succeeded + failed + cancelled + expired) > 0
            """;

    private static final Pattern TOTAL_COST = Pattern.compile("\"Total Cost\": ([0-9.]+)");

    /** The first (the top node's) buffer counts of an analysed JSON plan. */
    private static final Pattern SHARED_HIT_BLOCKS = Pattern.compile("\"Shared Hit Blocks\": ([0-9]+)");

    private static final Pattern SHARED_READ_BLOCKS = Pattern.compile("\"Shared Read Blocks\": ([0-9]+)");

    /** An index a JSON plan reads. */
    private static final Pattern INDEX_NAME = Pattern.compile("\"Index Name\": \"([^\"]+)\"");

    /** An index condition that looks jobs up by a batch's id (a null batch id, single jobs, is not one). */
    private static final Pattern BATCH_ID_LOOKUP = Pattern.compile("\"Index Cond\": \"[^\"]*batch_id = ");

    /** A sequential scan of {@code jobs} in a JSON plan. */
    private static final Pattern JOBS_SEQ_SCAN =
            Pattern.compile("\"Node Type\": \"Seq Scan\",[^{}]*\"Relation Name\": \"jobs\"");

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
    }

    @Autowired
    TenantEntityRepository tenants;

    @Autowired
    BatchRepository batches;

    @Autowired
    BatchTransitions batchTransitions;

    @Autowired
    JobRepository jobRepository;

    @Autowired
    JobTransitions jobs;

    @Autowired
    BatchPollRepository polls;

    @Autowired
    QueueStatsRepository queueStats;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    PlatformTransactionManager transactions;

    private String tenantId;

    @BeforeEach
    void tenant() {
        tenantId = Ids.tenant();
        tenants.createTenantWithKey(tenantId, Ids.apiKey(), "t", Ids.random(32).getBytes(), "sk-x", "whsec_x", NOW);
    }

    @Test
    void everyTransitionKeepsTheCountsEqualToARecount() {
        String batchId = batch(12, Instant.now().plus(Duration.ofDays(1)), "model-a", "model-b");
        List<String> ids = jobIds(batchId);
        assertKept(batchId, new JobCounts(12, 0, 0, 0, 0, 0));

        // QUEUED_TO_RUNNING, RUNNING_TO_SUCCEEDED, RUNNING_TO_FAILED, RUNNING_TO_QUEUED (with and without refund).
        jobs.claim(ids.get(0), "t0", LEASE).orElseThrow();
        assertKept(batchId, new JobCounts(11, 1, 0, 0, 0, 0));
        assertThat(jobs.markSucceeded(ids.get(0), "t0", new Outcome(200, "{}", null, null, 3, 4, 7, 5), NOW))
                .isTrue();
        assertKept(batchId, new JobCounts(11, 0, 1, 0, 0, 0));
        jobs.claim(ids.get(1), "t1", LEASE).orElseThrow();
        assertThat(jobs.markFailed(ids.get(1), "t1", new Outcome(400, "{}", "bad", "no", 2, 0, 2, 5), NOW))
                .isTrue();
        assertKept(batchId, new JobCounts(10, 0, 1, 1, 0, 0));
        jobs.claim(ids.get(2), "t2", LEASE).orElseThrow();
        assertThat(jobs.requeue(ids.get(2), "t2", Duration.ZERO, true)).isTrue();
        assertKept(batchId, new JobCounts(10, 0, 1, 1, 0, 0));
        jobs.claim(ids.get(2), "t2b", LEASE).orElseThrow();
        assertThat(jobs.requeue(ids.get(2), "t2b", Duration.ZERO, false)).isTrue();
        assertKept(batchId, new JobCounts(10, 0, 1, 1, 0, 0));

        // A lost claim changes nothing, and so nothing in the counts.
        assertThat(jobs.markSucceeded(ids.get(0), "t0", new Outcome(200, "{}", null, null, 9, 9, 18, 5), NOW))
                .isFalse();
        assertKept(batchId, new JobCounts(10, 0, 1, 1, 0, 0));

        // RUNNING_TO_QUEUED_LEASE_LAPSED and RUNNING_TO_FAILED_WORKER_LOST: leases that lapsed at once.
        jobs.claim(ids.get(3), "t3", Duration.ZERO).orElseThrow();
        assertKept(batchId, new JobCounts(9, 1, 1, 1, 0, 0));
        assertThat(jobs.requeueLapsed(100, 10_000)).isPositive();
        assertKept(batchId, new JobCounts(10, 0, 1, 1, 0, 0));
        jobs.claim(ids.get(3), "t3b", Duration.ZERO).orElseThrow();
        assertThat(jobs.failLapsed(1, 10_000))
                .extracting(JobTransitions.LostJob::id)
                .contains(ids.get(3));
        assertKept(batchId, new JobCounts(9, 0, 1, 2, 0, 0));

        // QUEUED_TO_CANCELLED: one job on its own.
        assertThat(jobs.cancelQueued(tenantId, ids.get(4), "cancelled", NOW)).isTrue();
        assertKept(batchId, new JobCounts(8, 0, 1, 2, 1, 0));

        // QUEUED_TO_CANCELLED_WITH_BATCH, with one job running; then it comes back (a retry) and
        // QUEUED_TO_CANCELLED_BATCH_CANCELLING takes it.
        jobs.claim(ids.get(5), "t5", LEASE).orElseThrow();
        assertThat(batchTransitions.tryStartCancelling(tenantId, batchId, NOW)).isTrue();
        assertThat(jobs.cancelQueuedOfBatch(batchId, "cancelled", NOW)).isEqualTo(7);
        assertKept(batchId, new JobCounts(0, 1, 1, 2, 8, 0));
        assertThat(jobs.requeue(ids.get(5), "t5", Duration.ZERO, false)).isTrue();
        assertKept(batchId, new JobCounts(1, 0, 1, 2, 8, 0));
        assertThat(jobs.cancelQueuedOfCancellingBatches(null, NOW)).isPositive();
        assertKept(batchId, new JobCounts(0, 0, 1, 2, 9, 0));

        // QUEUED_TO_EXPIRED: a batch whose window has closed, one of its jobs still running.
        String expiring = batch(5, Instant.now().minusSeconds(60), "model-a");
        String running = jobIds(expiring).getFirst();
        jobs.claim(running, "r", LEASE).orElseThrow();
        assertThat(jobs.expireQueuedOfExpiredBatches(null, NOW)).isGreaterThanOrEqualTo(4);
        assertKept(expiring, new JobCounts(0, 1, 0, 0, 0, 4));
        assertThat(jobs.markSucceeded(running, "r", new Outcome(200, "{}", null, null, 1, 1, 2, 5), NOW))
                .isTrue();
        assertKept(expiring, new JobCounts(0, 0, 1, 0, 0, 4));
        assertThat(batches.liveUsage(expiring)).isEqualTo(new Usage(1, 1, 2));
        assertThat(batches.liveUsage(batchId)).isEqualTo(new Usage(5, 4, 9));
        // What a poll reads: the same counts and usage in one statement.
        assertThat(batches.liveProgress(batchId))
                .isEqualTo(new BatchRepository.Progress(batches.liveCounts(batchId), new Usage(5, 4, 9)));
        assertThat(batches.liveProgress(expiring))
                .isEqualTo(new BatchRepository.Progress(new JobCounts(0, 0, 1, 0, 0, 4), new Usage(1, 1, 2)));

        // Deleting a batch takes its jobs and its counts; deleting a job on its own takes it out of the counts.
        jdbc.sql("DELETE FROM jobs WHERE id = :id").param("id", ids.get(0)).update();
        assertKept(batchId, new JobCounts(0, 0, 0, 2, 9, 0));
        jdbc.sql("DELETE FROM batches WHERE id = :id").param("id", batchId).update();
        assertThat(jdbc.sql("SELECT count(*) FROM batch_job_counts WHERE batch_id = :id")
                        .param("id", batchId)
                        .query(Integer.class)
                        .single())
                .isZero();
    }

    @Test
    void aStatementOnSingleJobsCountsNothingAndOneThatAlsoTouchesABatchsJobCountsThatJob() {
        // The counting trigger leaves at once for a statement on no batch's job (V35): a facade call's or a single
        // job's every step. A statement on both kinds must still count the batch's.
        String batchId = batch(3, Instant.now().plus(Duration.ofDays(1)), "model-a");
        List<String> ids = jobIds(batchId);
        String single = singleJob();
        String other = singleJob();
        jobs.claim(single, "s", LEASE).orElseThrow();
        assertThat(jobs.markSucceeded(single, "s", new Outcome(200, "{}", null, null, 1, 1, 2, 5), NOW))
                .isTrue();
        assertKept(batchId, new JobCounts(3, 0, 0, 0, 0, 0));
        assertThat(jdbc.sql("SELECT count(*) FROM batch_job_counts WHERE batch_id IS NULL")
                        .query(Integer.class)
                        .single())
                .isZero();

        int claimed = jdbc.sql("""
                        UPDATE jobs SET status = 'running', lease_owner = 'both', started_at = now(),
                                        lease_expires_at = now() + interval '1 hour'
                         WHERE id IN (:single, :batchJob) AND status = 'queued'
                        """)
                .param("single", other)
                .param("batchJob", ids.getFirst())
                .update();

        assertThat(claimed).isEqualTo(2);
        assertKept(batchId, new JobCounts(2, 1, 0, 0, 0, 0));
    }

    private String singleJob() {
        NewJob job = TestJobs.single(tenantId, "model-a");
        jobRepository.insert(job, NOW);
        return job.id();
    }

    @Test
    void concurrentWorkersKeepTheCountsExactInEverySnapshot() throws Exception {
        int size = 600;
        String batchId = batch(size, Instant.now().plus(Duration.ofDays(1)), "model-a", "model-b", "model-c");
        List<String> ids = jobIds(batchId);
        AtomicBoolean working = new AtomicBoolean(true);
        AtomicInteger snapshots = new AtomicInteger();
        TransactionTemplate snapshot = new TransactionTemplate(transactions);
        snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        snapshot.setReadOnly(true);
        int workers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(workers + 2);
        try {
            // A reader: the kept counts and a recount in one snapshot must agree in every snapshot it takes.
            Future<?> reader = pool.submit(() -> {
                while (working.get()) {
                    snapshot.executeWithoutResult(
                            status -> assertThat(kept(batchId)).isEqualTo(recount(batchId)));
                    snapshots.incrementAndGet();
                }
            });
            // A canceller: every 7th job, by itself, while the workers run the others.
            Future<?> canceller = pool.submit(() -> {
                for (int i = 0; i < size; i += 7) {
                    jobs.cancelQueued(tenantId, ids.get(i), "cancelled", NOW);
                }
            });
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int worker = w;
                running.add(pool.submit(() -> {
                    for (int i = worker; i < size; i += workers) {
                        String id = ids.get(i);
                        String token = "w" + worker + "-" + i;
                        Optional<ClaimedJob> claimed = jobs.claim(id, token, LEASE);
                        if (claimed.isEmpty()) {
                            continue;
                        }
                        Outcome outcome = new Outcome(200, "{}", null, null, 1, 2, 3, 1);
                        switch (i % 5) {
                            case 0 -> jobs.markFailed(id, token, outcome, NOW);
                            case 1 -> {
                                jobs.requeue(id, token, Duration.ZERO, i % 2 == 0);
                                jobs.claim(id, token + "b", LEASE)
                                        .ifPresent(again -> jobs.markSucceeded(id, token + "b", outcome, NOW));
                            }
                            default -> jobs.markSucceeded(id, token, outcome, NOW);
                        }
                    }
                }));
            }
            canceller.get();
            for (Future<?> worker : running) {
                worker.get();
            }
            working.set(false);
            reader.get();
        } finally {
            working.set(false);
            pool.shutdownNow();
        }
        assertThat(snapshots.get()).isPositive();
        JobCounts counts = batches.liveCounts(batchId);
        assertThat(counts.total()).isEqualTo(size);
        assertThat(counts.unfinished()).isZero();
        assertThat(counts).isEqualTo(recountTotal(batchId));
    }

    @Test
    void theCountReadDoesNotScanJobsAndCostsTheSameAtTenAndAtFiftyThousandJobs() {
        String small = batch(10, Instant.now().plus(Duration.ofDays(1)), "model-a");
        String large = batch(50_000, Instant.now().plus(Duration.ofDays(1)), "model-a");
        jdbc.sql("ANALYZE jobs").update();
        jdbc.sql("ANALYZE batch_job_counts").update();

        String smallPlan = plan(small);
        String largePlan = plan(large);

        assertThat(largePlan).doesNotContain("\"Relation Name\": \"jobs\"").contains("batch_job_counts");
        assertThat(smallPlan).doesNotContain("\"Relation Name\": \"jobs\"");
        // Both read one row here (each batch was stored in one transaction); at most 16 per model in general.
        assertThat(cost(largePlan)).isLessThanOrEqualTo(cost(smallPlan) * 2);
        assertThat(batches.liveCounts(large)).isEqualTo(new JobCounts(50_000, 0, 0, 0, 0, 0));
    }

    @Test
    void thePollReadsNoJobOfTheBatchAndCostsTheSameAtTenAndAtFiftyThousandJobs() {
        String model = "poll-" + Ids.random(6);
        String small = batch(10, Instant.now().plus(Duration.ofDays(1)), model);
        String large = batch(50_000, Instant.now().plus(Duration.ofDays(1)), model);
        jdbc.sql("ANALYZE jobs").update();
        jdbc.sql("ANALYZE batch_job_counts").update();

        String smallPlan = pollPlan(small);
        String largePlan = pollPlan(large);

        // Jobs are read only for the single jobs ahead, on a partial index of unfinished jobs (V19, V21 or V29, the
        // last looked up by a null batch id): never the batch's.
        for (String plan : List.of(smallPlan, largePlan)) {
            assertThat(plan).contains("batch_job_counts");
            assertThat(JOBS_SEQ_SCAN.matcher(plan).find()).as(plan).isFalse();
            assertThat(INDEX_NAME.matcher(plan).results().map(index -> index.group(1)))
                    .filteredOn(index -> index.startsWith("jobs"))
                    .isNotEmpty()
                    .isSubsetOf(
                            "jobs_single_unfinished_ix",
                            "jobs_tenant_single_unfinished_ix",
                            "jobs_batch_unfinished_ix");
            assertThat(BATCH_ID_LOOKUP.matcher(plan).find()).as(plan).isFalse();
        }
        // The buffers touched, not the planner's estimate (see the queue statistics' test below).
        assertThat(buffers(largePlan)).as(largePlan).isLessThanOrEqualTo(buffers(smallPlan) * 2 + 10);
        PolledBatch polled = polls.find(tenantId, large).orElseThrow();
        assertThat(polled.progress().counts()).isEqualTo(new JobCounts(50_000, 0, 0, 0, 0, 0));
        // Both batches were created at the same instant with the same priority: each goes with the other.
        assertThat(polled.ahead()).isEqualTo(Map.of(model, 50_000L + 10));
        assertThat(polls.find("another-tenant", large)).isEmpty();
    }

    @Test
    void theQueueStatsAreARecountOfTheWaitingAndRunningJobsOfEachModel() {
        String model = "stats-" + Ids.random(6);
        String other = "stats-" + Ids.random(6);
        knowModels(model, other);
        Instant expires = Instant.now().plus(Duration.ofDays(1));
        String first = batch(6, expires, 0, NOW, model, other);
        batch(3, expires, 0, NOW.plusSeconds(60), model);
        List<String> firstIds = jobIds(first);
        jobs.claim(firstIds.get(0), "t0", LEASE).orElseThrow();
        ClaimedJob finished = jobs.claim(firstIds.get(2), "t2", LEASE).orElseThrow();
        jobs.markSucceeded(finished.id(), "t2", new Outcome(200, "{}", null, null, 1, 1, 2, 5), NOW);
        jobs.claim(firstIds.get(1), "t1", LEASE).orElseThrow();
        jobRepository.insertAll(List.of(single(model, 0), single(model, 9)), NOW.plusSeconds(30));
        String runningSingle = Ids.job();
        jobRepository.insertAll(
                List.of(new NewJob(
                        runningSingle, tenantId, null, null, null, "/v1/chat/completions", model, "{}", 0, null)),
                NOW.minusSeconds(10));
        jobs.claim(runningSingle, "ts", LEASE).orElseThrow();
        // An older batch whose jobs all finished is neither waiting nor running, nor the oldest waiting.
        String done = batch(2, expires, 0, NOW.minusSeconds(600), model);
        for (String id : jobIds(done)) {
            jobs.claim(id, "d" + id, LEASE).orElseThrow();
            jobs.markSucceeded(id, "d" + id, new Outcome(200, "{}", null, null, 1, 1, 2, 5), NOW);
        }

        Map<String, QueueStats> stats = queueStats.perModel(NOW.minusSeconds(3600), NOW.minusSeconds(60)).stream()
                .collect(Collectors.toMap(QueueStats::model, row -> row));
        for (String name : List.of(model, other)) {
            QueueStats row = stats.get(name);
            assertThat(row.waiting()).as(name).isEqualTo(countJobs(name, "queued"));
            assertThat(row.running()).as(name).isEqualTo(countJobs(name, "running"));
        }
        // model: line 5 of the first batch (line 1 runs, line 3 succeeded), the second batch, two single jobs.
        assertThat(stats.get(model).waiting()).isEqualTo(1 + 3 + 2);
        assertThat(stats.get(model).running()).isEqualTo(2);
        // The oldest waiting job is the first batch's (as old as its batch); the single job before it is running.
        assertThat(stats.get(model).oldestWaitingSince()).isEqualTo(NOW);
        assertThat(stats.get(other).waiting()).isEqualTo(2);
        assertThat(stats.get(other).running()).isEqualTo(1);
    }

    @Test
    void theQueueStatsReadNoJobOfABatchAndCostTheSameAtTenAndAtFiftyThousandJobs() {
        String model = "stats-" + Ids.random(6);
        knowModels(model);
        Instant expires = Instant.now().plus(Duration.ofDays(1));
        batch(10, expires, model);
        jdbc.sql("ANALYZE").update();
        String small = statsPlan();
        batch(50_000, expires, model);
        jdbc.sql("ANALYZE").update();
        String large = statsPlan();

        for (String plan : List.of(small, large)) {
            assertThat(plan).contains("batch_job_counts");
            assertThat(JOBS_SEQ_SCAN.matcher(plan).find()).as(plan).isFalse();
            assertThat(BATCH_ID_LOOKUP.matcher(plan).find()).as(plan).isFalse();
        }
        // The buffers the statement touched, not the planner's estimate: a lookup of the single jobs on an index that
        // also holds the batch's unfinished jobs is estimated dearer as that index grows, but reads none of them.
        assertThat(buffers(large)).as(large).isLessThanOrEqualTo(buffers(small) * 2 + 10);
        QueueStats row = queueStats.perModel(NOW.minusSeconds(3600), NOW.minusSeconds(60)).stream()
                .filter(stats -> stats.model().equals(model))
                .findFirst()
                .orElseThrow();
        assertThat(row.waiting()).isEqualTo(50_010);
    }

    @Test
    void theEstimateSeesTheSameWorkAheadAsACountOfTheJobs() {
        String model = "eta-" + Ids.random(6);
        Instant later = NOW.plusSeconds(60);
        Instant expires = Instant.now().plus(Duration.ofDays(1));
        String first = batch(30, expires, 0, NOW, model, "eta-other-" + Ids.random(4));
        String urgent = batch(7, expires, 5, later, model);
        String second = batch(11, expires, 0, later, model);
        String last = batch(5, expires, 0, later.plusSeconds(60), model);
        jobRepository.insertAll(List.of(single(model, 9), single(model, 9), single(model, 0)), later);
        jobRepository.insertAll(List.of(single(model, 0)), NOW.minusSeconds(1));
        List<String> firstIds = jobIds(first);
        jobs.claim(firstIds.get(0), "e0", LEASE).orElseThrow();
        jobs.claim(firstIds.get(2), "e2", LEASE).orElseThrow();
        jobs.markSucceeded(firstIds.get(2), "e2", new Outcome(200, "{}", null, null, 1, 1, 2, 1), NOW);
        jobs.cancelQueued(tenantId, jobIds(second).getFirst(), "cancelled", NOW);

        for (String batchId : List.of(first, urgent, second, last)) {
            BatchRow row = batches.find(batchId).orElseThrow();
            assertThat(polls.find(tenantId, batchId).orElseThrow().ahead())
                    .as("work ahead of %s", batchId)
                    .isEqualTo(aheadCounted(batchId, row.priority(), row.createdAt()))
                    .containsKey(model);
        }
        // The second batch's 11 less one cancelled; the urgent 7; the first batch's 15 of this model less one
        // succeeded; the 2 single jobs at priority 9 and the 2 at priority 0 submitted no later.
        assertThat(polls.find(tenantId, second).orElseThrow().ahead()).containsEntry(model, 10L + 7 + 14 + 2 + 1 + 1);
    }

    /** What the estimate counted before V19: every unfinished job of the batch's models that goes no later. */
    private Map<String, Long> aheadCounted(String batchId, int priority, Instant createdAt) {
        return jdbc
                .sql("""
                        SELECT j.model, count(*) AS ahead
                          FROM jobs j
                         WHERE j.status IN ('queued', 'running')
                           AND j.model IN (SELECT DISTINCT b.model FROM jobs b
                                            WHERE b.batch_id = :batchId AND b.status IN ('queued', 'running'))
                           AND (j.priority > :priority OR (j.priority = :priority AND j.created_at <= :createdAt))
                         GROUP BY j.model
                        """)
                .param("batchId", batchId)
                .param("priority", priority)
                .param("createdAt", Timestamps.bind(createdAt))
                .query((rs, n) -> Map.entry(rs.getString("model"), rs.getLong("ahead")))
                .list()
                .stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private void knowModels(String... models) {
        for (String model : models) {
            jdbc.sql("INSERT INTO models (model, first_seen_at) VALUES (:model, :now)")
                    .param("model", model)
                    .param("now", Timestamps.bind(NOW))
                    .update();
        }
    }

    private long countJobs(String model, String status) {
        return jdbc.sql("SELECT count(*) FROM jobs WHERE model = :model AND status = :status")
                .param("model", model)
                .param("status", status)
                .query(Long.class)
                .single();
    }

    /** The plan of exactly the statement {@link QueueStatsRepository#perModel} runs, run once, with its buffers. */
    private String statsPlan() {
        return String.join(
                "\n",
                jdbc.sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + QueueStatsRepository.PER_MODEL)
                        .param("eventsSince", Timestamps.bind(NOW.minusSeconds(3600)))
                        .param("aliveSince", Timestamps.bind(NOW.minusSeconds(60)))
                        .query(String.class)
                        .list());
    }

    private NewJob single(String model, int priority) {
        return new NewJob(Ids.job(), tenantId, null, null, null, "/v1/chat/completions", model, "{}", priority, null);
    }

    /** The plan of exactly the statement {@link BatchRepository#liveCounts} runs. */
    private String plan(String batchId) {
        return String.join(
                "\n",
                jdbc.sql("EXPLAIN (FORMAT JSON) " + BatchRepository.LIVE_COUNTS)
                        .param("batchId", batchId)
                        .query(String.class)
                        .list());
    }

    /** The plan of exactly the statement {@link BatchPollRepository#find} runs, run once, with its buffers. */
    private String pollPlan(String batchId) {
        return String.join(
                "\n",
                jdbc.sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + BatchPollRepository.FIND)
                        .param("id", batchId)
                        .param("tenantId", tenantId)
                        .query(String.class)
                        .list());
    }

    /** The buffers the whole statement of an analysed JSON plan touched: its top node's hits and reads. */
    private static long buffers(String plan) {
        Matcher hits = SHARED_HIT_BLOCKS.matcher(plan);
        Matcher reads = SHARED_READ_BLOCKS.matcher(plan);
        assertThat(hits.find() && reads.find()).as("buffer counts in %s", plan).isTrue();
        return Long.parseLong(hits.group(1)) + Long.parseLong(reads.group(1));
    }

    private static double cost(String plan) {
        Matcher matcher = TOTAL_COST.matcher(plan);
        assertThat(matcher.find()).as("a total cost in %s", plan).isTrue();
        return Double.parseDouble(matcher.group(1));
    }

    /** A batch of {@code size} queued jobs spread over {@code models}, stored as the api stores them: in one transaction. */
    private String batch(int size, Instant expiresAt, String... models) {
        return batch(size, expiresAt, 0, NOW, models);
    }

    private String batch(int size, Instant expiresAt, int priority, Instant createdAt, String... models) {
        String batchId = Ids.batch();
        new TransactionTemplate(transactions).executeWithoutResult(status -> {
            batches.insert(new NewBatch(
                    batchId,
                    tenantId,
                    "/v1/chat/completions",
                    "24h",
                    null,
                    null,
                    null,
                    priority,
                    size,
                    createdAt,
                    expiresAt));
            List<NewJob> newJobs = IntStream.range(0, size)
                    .mapToObj(i -> new NewJob(
                            Ids.job(),
                            tenantId,
                            batchId,
                            i + 1,
                            "c" + i,
                            "/v1/chat/completions",
                            models[i % models.length],
                            "{}",
                            priority,
                            null))
                    .toList();
            for (int from = 0; from < size; from += 10_000) {
                jobRepository.insertAll(newJobs.subList(from, Math.min(size, from + 10_000)), createdAt);
            }
        });
        return batchId;
    }

    private List<String> jobIds(String batchId) {
        return jdbc.sql("SELECT id FROM jobs WHERE batch_id = :batchId ORDER BY line_no")
                .param("batchId", batchId)
                .query(String.class)
                .list();
    }

    private void assertKept(String batchId, JobCounts expected) {
        assertThat(kept(batchId)).isEqualTo(recount(batchId));
        assertThat(batches.liveCounts(batchId)).isEqualTo(expected).isEqualTo(recountTotal(batchId));
    }

    private Map<String, String> recount(String batchId) {
        return byModel(RECOUNT, batchId);
    }

    private Map<String, String> kept(String batchId) {
        return byModel(KEPT, batchId);
    }

    private Map<String, String> byModel(String sql, String batchId) {
        return jdbc
                .sql(sql)
                .param("batchId", batchId)
                .query((rs, n) -> Map.entry(
                        rs.getString("model"),
                        "queued=" + rs.getLong("queued") + ",running=" + rs.getLong("running")
                                + ",succeeded=" + rs.getLong("succeeded") + ",failed=" + rs.getLong("failed")
                                + ",cancelled=" + rs.getLong("cancelled") + ",expired=" + rs.getLong("expired")
                                + ",tokens=" + rs.getString("tokens")))
                .list()
                .stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private JobCounts recountTotal(String batchId) {
        return jdbc.sql("""
                        SELECT count(*) FILTER (WHERE status = 'queued')    AS queued,
                               count(*) FILTER (WHERE status = 'running')   AS running,
                               count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
                               count(*) FILTER (WHERE status = 'failed')    AS failed,
                               count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
                               count(*) FILTER (WHERE status = 'expired')   AS expired
                          FROM jobs WHERE batch_id = :batchId
                        """)
                .param("batchId", batchId)
                .query((rs, n) -> new JobCounts(
                        rs.getInt("queued"),
                        rs.getInt("running"),
                        rs.getInt("succeeded"),
                        rs.getInt("failed"),
                        rs.getInt("cancelled"),
                        rs.getInt("expired")))
                .single();
    }
}
