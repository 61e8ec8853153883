package dev.sluice.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.BatchStatus;
import dev.sluice.common.Ids;
import dev.sluice.common.JobStatus;
import dev.sluice.db.batch.BatchTransitions;
import dev.sluice.db.batch.JobCounts;
import dev.sluice.db.batch.Usage;
import dev.sluice.db.job.JobTransitions;
import dev.sluice.db.job.JobTransitions.Finish;
import dev.sluice.db.job.Outcome;
import dev.sluice.db.tenant.TenantEntityRepository;
import dev.sluice.testsupport.TestInfrastructure;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The contract between the status enums and the SQL: every status-changing statement of {@link JobTransitions} and
 * {@link BatchTransitions} is run against a row in every status, with everything else in its favour (lease lapsed,
 * window closed, batch cancelling where it asks for one), and the moves it actually made must be exactly the one
 * its name says ({@code FROM_TO_TO...}); together, the moves made must be exactly what {@code canMoveTo} allows.
 * Adding a statement without running it here, or a move to an enum without a statement, fails.
 */
@SpringBootTest(classes = DbTestApplication.class)
class TransitionsContractIT {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final String TOKEN = "the-claim";
    private static final Outcome ANSWER = new Outcome(200, "{}", null, null, 1, 1, 2, 5);
    private static final JobCounts COUNTS = new JobCounts(0, 0, 1, 0, 0, 0);
    private static final Usage USAGE = new Usage(1, 1, 2);

    /** A batch whose window closed a minute ago, in the status asked for (timestamps to match its CHECKs). */
    private static final String INSERT_BATCH = """
            INSERT INTO batches (id, tenant_id, status, endpoint, completion_window, request_total, request_completed,
                                 created_at, in_progress_at, expires_at,
                                 completed_at, failed_at, expired_at, cancelled_at)
            VALUES (:id, :tenantId, :status, '/v1/embeddings', '24h', 1,
                    CASE WHEN :status IN ('completed', 'expired', 'cancelled') THEN 1 END,
                    now() - interval '1 day', now() - interval '1 day', now() - interval '1 minute',
                    CASE WHEN :status = 'completed' THEN now() END, CASE WHEN :status = 'failed' THEN now() END,
                    CASE WHEN :status = 'expired' THEN now() END, CASE WHEN :status = 'cancelled' THEN now() END)
            """;

    /** A job on its first attempt in the status asked for; when running, under {@link #TOKEN} with a lapsed lease. */
    private static final String INSERT_JOB = """
            INSERT INTO jobs (id, tenant_id, batch_id, line_no, custom_id, url, model, body, status, attempts,
                              lease_owner, lease_expires_at, created_at, completed_at, response_status)
            VALUES (:id, :tenantId, :batchId, 1, 'c1', '/v1/embeddings', 'contract-model', '{}', :status, 1,
                    CASE WHEN :status = 'running' THEN :token END,
                    CASE WHEN :status = 'running' THEN now() - interval '1 second' END,
                    now() - interval '1 day',
                    CASE WHEN :status IN ('succeeded', 'failed', 'cancelled', 'expired') THEN now() END,
                    CASE WHEN :status = 'succeeded' THEN 200 END)
            """;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
    }

    @Autowired
    TenantEntityRepository tenants;

    @Autowired
    JobTransitions jobs;

    @Autowired
    BatchTransitions batches;

    @Autowired
    JdbcClient jdbc;

    private String tenantId;

    /** A row a statement is run against. */
    private record Row(String tenantId, String batchId, String jobId) {}

    @BeforeEach
    void tenant() {
        tenantId = Ids.tenant();
        tenants.createTenantWithKey(tenantId, Ids.apiKey(), "t", Ids.random(32).getBytes(), "sk-x", "whsec_x", NOW);
    }

    @Test
    void everyJobStatementMakesOnlyItsNamedMoveAndTogetherExactlyWhatJobStatusAllows() {
        Map<String, Consumer<Row>> statements = Map.ofEntries(
                Map.entry("QUEUED_TO_RUNNING", row -> jobs.claim(row.jobId(), "another-claim", Duration.ofMinutes(1))),
                Map.entry(
                        "QUEUED_TO_RUNNING_MANY",
                        row -> jobs.claimMany(
                                List.of(row.jobId(), Ids.job()),
                                List.of("another-claim", "a-third-claim"),
                                Duration.ofMinutes(1))),
                Map.entry("RUNNING_TO_SUCCEEDED", row -> jobs.markSucceeded(row.jobId(), TOKEN, ANSWER, NOW)),
                Map.entry(
                        "RUNNING_TO_SUCCEEDED_MANY",
                        row -> jobs.finishMany(List.of(new Finish(row.jobId(), TOKEN, true, ANSWER, NOW)))),
                Map.entry("RUNNING_TO_FAILED", row -> jobs.markFailed(row.jobId(), TOKEN, ANSWER, NOW)),
                Map.entry(
                        "RUNNING_TO_FAILED_MANY",
                        row -> jobs.finishMany(List.of(new Finish(row.jobId(), TOKEN, false, ANSWER, NOW)))),
                Map.entry("RUNNING_TO_QUEUED", row -> jobs.requeue(row.jobId(), TOKEN, Duration.ZERO, false)),
                Map.entry("RUNNING_TO_QUEUED_LEASE_LAPSED", row -> jobs.requeueLapsed(2, 10_000)),
                Map.entry("RUNNING_TO_FAILED_WORKER_LOST", row -> jobs.failLapsed(1, 10_000)),
                Map.entry(
                        "QUEUED_TO_CANCELLED", row -> jobs.cancelQueued(row.tenantId(), row.jobId(), "cancelled", NOW)),
                Map.entry(
                        "QUEUED_TO_CANCELLED_WITH_BATCH",
                        row -> jobs.cancelQueuedOfBatch(row.batchId(), "cancelled", NOW)),
                Map.entry(
                        "QUEUED_TO_CANCELLED_BATCH_CANCELLING",
                        row -> jobs.cancelQueuedOfCancellingBatches(row.jobId(), NOW)),
                Map.entry("QUEUED_TO_EXPIRED", row -> jobs.expireQueuedOfExpiredBatches(row.jobId(), NOW)));

        Map<String, Set<String>> moves = new TreeMap<>();
        statements.forEach((name, statement) -> {
            // The one statement that asks for a batch being cancelled gets one; the rest get a running batch.
            String batchStatus = name.endsWith("_BATCH_CANCELLING") ? "cancelling" : "in_progress";
            for (JobStatus from : JobStatus.values()) {
                Row row = jobIn(from, batchStatus);
                statement.accept(row);
                JobStatus to = JobStatus.fromWire(jdbc.sql("SELECT status FROM jobs WHERE id = :id")
                        .param("id", row.jobId())
                        .query(String.class)
                        .single());
                record(moves, name, from.name(), to.name());
                jdbc.sql("DELETE FROM batches WHERE id = :id")
                        .param("id", row.batchId())
                        .update();
            }
        });

        assertContract(
                moves,
                statementNames(JobTransitions.class, JobStatus.values()),
                JobStatus.values(),
                (a, b) -> a.canMoveTo(b));
    }

    @Test
    void everyBatchStatementMakesOnlyItsNamedMoveAndTogetherExactlyWhatBatchStatusAllows() {
        Map<String, Function<String, Boolean>> statements = Map.of(
                "IN_PROGRESS_TO_FINALIZING", id -> batches.tryStartFinalizing(id, NOW),
                "IN_PROGRESS_TO_CANCELLING", id -> batches.tryStartCancelling(tenantId, id, NOW),
                "FINALIZING_TO_COMPLETED", id -> batches.markCompleted(id, COUNTS, USAGE, null, null, NOW),
                "FINALIZING_TO_EXPIRED", id -> batches.markExpired(id, COUNTS, USAGE, null, null, NOW),
                "CANCELLING_TO_CANCELLED", id -> batches.markCancelled(id, COUNTS, USAGE, null, null, NOW));

        Map<String, Set<String>> moves = new TreeMap<>();
        statements.forEach((name, statement) -> {
            for (BatchStatus from : BatchStatus.values()) {
                String id = batchIn(from.wire());
                boolean moved = statement.apply(id);
                BatchStatus to = BatchStatus.fromWire(jdbc.sql("SELECT status FROM batches WHERE id = :id")
                        .param("id", id)
                        .query(String.class)
                        .single());
                assertThat(moved)
                        .as("%s on a %s batch reports what it did", name, from)
                        .isEqualTo(to != from);
                record(moves, name, from.name(), to.name());
            }
        });

        assertContract(
                moves,
                statementNames(BatchTransitions.class, BatchStatus.values()),
                BatchStatus.values(),
                (a, b) -> a.canMoveTo(b));
    }

    private Row jobIn(JobStatus status, String batchStatus) {
        String batchId = batchIn(batchStatus);
        String jobId = Ids.job();
        jdbc.sql(INSERT_JOB)
                .param("id", jobId)
                .param("tenantId", tenantId)
                .param("batchId", batchId)
                .param("status", status.wire())
                .param("token", TOKEN)
                .update();
        return new Row(tenantId, batchId, jobId);
    }

    private String batchIn(String status) {
        String id = Ids.batch();
        jdbc.sql(INSERT_BATCH)
                .param("id", id)
                .param("tenantId", tenantId)
                .param("status", status)
                .update();
        return id;
    }

    private static void record(Map<String, Set<String>> moves, String statement, String from, String to) {
        Set<String> made = moves.computeIfAbsent(statement, name -> new TreeSet<>());
        if (!from.equals(to)) {
            made.add(from + "_TO_" + to);
        }
    }

    /**
     * Each statement made exactly the one move its name begins with; every statement the class declares was run;
     * and the moves made are exactly the pairs {@code allowed} accepts.
     */
    private static <S extends Enum<S>> void assertContract(
            Map<String, Set<String>> moves, Set<String> declared, S[] states, BiPredicate<S, S> allowed) {
        assertThat(moves.keySet())
                .as("every transition statement declared is run by this test")
                .isEqualTo(declared);
        moves.forEach((statement, made) ->
                assertThat(made).as("the moves %s made", statement).containsExactly(namedMove(statement, states)));
        Set<String> madeAll =
                moves.values().stream().flatMap(Set::stream).collect(Collectors.toCollection(TreeSet::new));
        Set<String> allowedAll = new TreeSet<>();
        for (S from : states) {
            for (S to : states) {
                if (allowed.test(from, to)) {
                    allowedAll.add(from.name() + "_TO_" + to.name());
                }
            }
        }
        assertThat(madeAll)
                .as("the moves the SQL makes are the moves canMoveTo allows")
                .isEqualTo(allowedAll);
    }

    /** {@code FROM_TO_TO} of a statement named {@code FROM_TO_TO} or {@code FROM_TO_TO_WHY}. */
    private static <S extends Enum<S>> String namedMove(String statement, S[] states) {
        List<String> names = Arrays.stream(states)
                .map(Enum::name)
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
        for (String from : names) {
            for (String to : names) {
                String move = from + "_TO_" + to;
                if (statement.equals(move) || statement.startsWith(move + "_")) {
                    return move;
                }
            }
        }
        throw new AssertionError(statement + " is not named FROM_TO_TO");
    }

    /** The names of the class's SQL constants named for a move between two of {@code states}. */
    private static <S extends Enum<S>> Set<String> statementNames(Class<?> type, S[] states) {
        String state = Arrays.stream(states).map(Enum::name).collect(Collectors.joining("|", "(", ")"));
        Set<String> names = new HashSet<>();
        for (Field field : type.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (Modifier.isStatic(modifiers)
                    && Modifier.isFinal(modifiers)
                    && field.getType() == String.class
                    && field.getName().matches(state + "_TO_" + state + "(_[A-Z_]+)?")) {
                names.add(field.getName());
            }
        }
        return names;
    }
}
