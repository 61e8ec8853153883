package dev.sluice.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.sluice.common.Limit;
import dev.sluice.db.lane.Lane;
import dev.sluice.db.lane.LaneKey;
import dev.sluice.db.lane.LaneRepository;
import dev.sluice.db.pacer.BudgetRow;
import dev.sluice.db.pacer.PacerBudgetRepository;
import dev.sluice.testsupport.TestInfrastructure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The pacer's row lock and clock on the real PostgreSQL, with two connections: a decision made behind another
 * must be made at a time no earlier than the moment the other let go of the row.
 */
@SpringBootTest(classes = DbTestApplication.class)
class PacerBudgetRepositoryIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
    }

    @Autowired
    PacerBudgetRepository budgets;

    @Autowired
    LaneRepository lanes;

    @Autowired
    TransactionTemplate transaction;

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    NamedParameterJdbcOperations pipelined;

    /**
     * Connection 1 holds the row (as another worker's decision does) until connection 2's update is seen
     * waiting for it for at least 500 ms; connection 2 must then decide on a clock read after the release.
     * Whether the holder wrote the row matters to PostgreSQL: after a concurrent write it re-evaluates the
     * locking SELECT's target list on the new row version, but after a holder that only locked (a decision
     * to wait, which writes nothing) it keeps the value computed before the wait.
     */
    @ParameterizedTest(name = "holder writes the row: {0}")
    @ValueSource(booleans = {false, true})
    void aDecisionMadeBehindAnotherReadsTheClockAfterTheLockIsReleased(boolean holderWrites) throws Exception {
        String credential = "fp-" + UUID.randomUUID();
        String model = "test/" + UUID.randomUUID();
        budgets.update(credential, model, row -> row);

        AtomicLong decidedAtUs = new AtomicLong();
        long releasedAtUs;
        var waiter = Executors.newVirtualThreadPerTaskExecutor();
        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            try (PreparedStatement lock = holder.prepareStatement(
                    "SELECT sent_us FROM pacer_budgets WHERE credential = ? AND model = ? FOR UPDATE")) {
                lock.setString(1, credential);
                lock.setString(2, model);
                lock.executeQuery().close();
            }
            long lockedAtUs = nowUs(holder);

            CompletableFuture<Void> decision = CompletableFuture.runAsync(
                    () -> budgets.update(credential, model, row -> {
                        decidedAtUs.set(row.nowUs());
                        return row;
                    }),
                    waiter);

            await("connection 2 waiting for the row lock")
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> waitingForTheLock() > 0);
            // Hold it a while longer, measured on the database's clock, so that a clock read before the wait
            // would be visibly early.
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> nowUs(holder) - lockedAtUs >= 500_000);
            if (holderWrites) {
                try (PreparedStatement write = holder.prepareStatement(
                        "UPDATE pacer_budgets SET paused_until_us = NULL WHERE credential = ? AND model = ?")) {
                    write.setString(1, credential);
                    write.setString(2, model);
                    write.executeUpdate();
                }
            }
            releasedAtUs = nowUs(holder);
            assertThat(decision)
                    .as("connection 2 still waits while the row is held")
                    .isNotDone();
            holder.commit();

            decision.get(10, TimeUnit.SECONDS);
        } finally {
            waiter.shutdownNow();
        }

        assertThat(decidedAtUs.get())
                .as("the clock connection 2 decided with (µs), vs the release (µs)")
                .isGreaterThanOrEqualTo(releasedAtUs);
    }

    @Test
    void aTakesLanesLockCreatesLocksAndReadsTheBudgetsOfEveryKeyInKeyOrder() throws Exception {
        String model = "test/" + UUID.randomUUID();
        String known = "fp-" + UUID.randomUUID();
        String unknown = "fp-" + UUID.randomUUID();
        budgets.update(known, model, row -> row.withLedger(new long[] {row.nowUs()}, new int[] {2}, new long[] {9}));
        lanes.enter(List.of(new LaneKey(model, "tenant_a")));

        try (Connection other = dataSource.getConnection()) {
            LaneRepository.Locked<PacerBudgetRepository.LockedBudget> locked = transaction.execute(status -> {
                LaneRepository.Locked<PacerBudgetRepository.LockedBudget> read =
                        lanes.lockWithBudgets(model, List.of(unknown, known));
                assertThat(lockedElsewhere(other, known, model))
                        .as("the existing budget is held until the take commits")
                        .isTrue();
                return read;
            });
            assertThat(lockedElsewhere(other, known, model)).isFalse();

            assertThat(locked.lanes()).extracting(Lane::tenantId).containsExactly("tenant_a");
            assertThat(locked.read()).hasSize(2);
            assertThat(locked.read().get(0).locked())
                    .as("no budget yet: created and locked")
                    .isTrue();
            assertThat(locked.read().get(0).row().sentCounts())
                    .as("no budget yet: empty")
                    .isEmpty();
            assertThat(jdbc.sql("SELECT count(*) FROM pacer_budgets WHERE model = :model")
                            .param("model", model)
                            .query(Long.class)
                            .single())
                    .as("created with the take")
                    .isEqualTo(2);
            assertThat(locked.read().get(1).locked()).isTrue();
            assertThat(locked.read().get(1).row().sentCounts()).containsExactly(2);
            assertThat(locked.read().get(1).row().sentTokens()).containsExactly(9L);
            assertThat(locked.read().get(0).row().nowUs()).isPositive();
        }
    }

    /** Whether another transaction holds the budget's row locked: a lock without waiting fails. */
    private static boolean lockedElsewhere(Connection connection, String credential, String model) {
        try (PreparedStatement lock = connection.prepareStatement(
                "SELECT 1 FROM pacer_budgets WHERE credential = ? AND model = ? FOR UPDATE NOWAIT")) {
            lock.setString(1, credential);
            lock.setString(2, model);
            lock.executeQuery().close();
            return false;
        } catch (SQLException e) {
            if ("55P03".equals(e.getSQLState())) {
                return true;
            }
            throw new IllegalStateException(e);
        }
    }

    @Test
    void statementsSentWithTheLockCommitWithTheDecisionOrRollBackWithIt() {
        String model = "test/" + UUID.randomUUID();
        lanes.enter(List.of(new LaneKey(model, "tenant_a"), new LaneKey(model, "tenant_b")));
        Pipelined.Statement takesWrites =
                LaneRepository.advancingAndLeaving(model, Map.of("tenant_a", 3.0), List.of("tenant_b"));

        assertThatThrownBy(() -> budgets.update(
                        "fp-" + UUID.randomUUID(),
                        model,
                        row -> {
                            throw new IllegalStateException("the decision failed");
                        },
                        takesWrites))
                .hasMessageContaining("the decision failed");
        List<Lane> afterFailure = transaction.execute(status -> lanes.lock(model));
        assertThat(afterFailure)
                .as("rolled back with the decision")
                .extracting(Lane::tenantId, Lane::pass)
                .containsExactly(tuple("tenant_a", 0.0), tuple("tenant_b", 0.0));

        budgets.update("fp-" + UUID.randomUUID(), model, row -> row, takesWrites);
        List<Lane> afterDecision = transaction.execute(status -> lanes.lock(model));
        assertThat(afterDecision).extracting(Lane::tenantId, Lane::pass).containsExactly(tuple("tenant_a", 3.0));
    }

    @Test
    void aDecisionInTheCallersTransactionIsStoredOnlyByItsWriteSentBeforeTheCommit() {
        String credential = "fp-" + UUID.randomUUID();
        String model = "test/" + UUID.randomUUID();
        UnaryOperator<BudgetRow> sendOne =
                row -> row.withLedger(new long[] {row.nowUs()}, new int[] {1}, new long[] {5});

        assertThatThrownBy(() -> budgets.decide(credential, model, sendOne, Pipelined.Statement.NONE))
                .as("outside a transaction the lock would end with the call")
                .hasMessageContaining("none is active");

        transaction.executeWithoutResult(
                status -> budgets.decide(credential, model, sendOne, Pipelined.Statement.NONE));
        assertThat(budgets.read(credential, model).sentCounts())
                .as("the write was not sent: nothing recorded")
                .isEmpty();

        PacerBudgetRepository.Decided unchanged =
                transaction.execute(status -> budgets.decide(credential, model, row -> row, Pipelined.Statement.NONE));
        assertThat(unchanged.write()).isEqualTo(Pipelined.Statement.NONE);

        transaction.executeWithoutResult(status -> {
            PacerBudgetRepository.Decided decided =
                    budgets.decide(credential, model, sendOne, Pipelined.Statement.NONE);
            Pipelined.run(pipelined, Pipelined.together(decided.write(), Pipelined.Statement.COMMIT));
        });
        BudgetRow stored = budgets.read(credential, model);
        assertThat(stored.sentCounts()).containsExactly(1);
        assertThat(stored.sentTokens()).containsExactly(5L);
    }

    @Test
    void aReadNeitherWaitsForALockedRowNorCreatesAMissingOne() throws Exception {
        String credential = "fp-" + UUID.randomUUID();
        String model = "test/" + UUID.randomUUID();
        budgets.update(credential, model, row -> row.withLedger(new long[] {7}, new int[] {3}, new long[] {0}));

        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            try (PreparedStatement lock = holder.prepareStatement(
                    "SELECT 1 FROM pacer_budgets WHERE credential = ? AND model = ? FOR UPDATE")) {
                lock.setString(1, credential);
                lock.setString(2, model);
                lock.executeQuery().close();
            }
            long before = nowUs(holder);

            BudgetRow read = budgets.read(credential, model);

            assertThat(read.sentUs()).containsExactly(7);
            assertThat(read.sentCounts()).containsExactly(3);
            assertThat(read.nowUs()).isGreaterThanOrEqualTo(before);
            holder.rollback();
        }

        String missing = "test/" + UUID.randomUUID();
        assertThat(budgets.read(credential, missing).sentUs()).isEmpty();
        assertThat(jdbc.sql("SELECT count(*) FROM pacer_budgets WHERE model = :model")
                        .param("model", missing)
                        .query(Long.class)
                        .single())
                .isZero();
    }

    /**
     * The use of many limits of many models in one statement: per limit, the busiest credential's sends within the
     * limit's window (requests or tokens), 0 for a model that sent nothing; the same as asking one limit at a time.
     */
    @Test
    void theUseOfEveryLimitIsReadInOneStatement() {
        String model = "test/" + UUID.randomUUID();
        String idle = "test/" + UUID.randomUUID();
        // Credential 1: 3 requests (150 tokens) just now and 4 requests 10 s ago; credential 2: 1 request of 500.
        budgets.update(
                "c1-" + model,
                model,
                row -> row.withLedger(
                        new long[] {row.nowUs() - 10_000_000, row.nowUs() - 1_000, row.nowUs() - 500},
                        new int[] {4, 2, 1},
                        new long[] {0, 100, 50}));
        budgets.update(
                "c2-" + model,
                model,
                row -> row.withLedger(new long[] {row.nowUs() - 1_000}, new int[] {1}, new long[] {500}));
        List<PacerBudgetRepository.ModelLimit> limits = List.of(
                new PacerBudgetRepository.ModelLimit(model, Limit.parse("100/5s")),
                new PacerBudgetRepository.ModelLimit(model, Limit.parse("10000 tokens/5s")),
                new PacerBudgetRepository.ModelLimit(idle, Limit.parse("100/5s")),
                new PacerBudgetRepository.ModelLimit(model, Limit.parse("100/60s")));

        long[] used = budgets.used(limits);

        assertThat(used).containsExactly(3, 500, 0, 7);
        assertThat(limits.stream().mapToLong(l -> budgets.used(l.model(), l.limit())))
                .containsExactly(3L, 500L, 0L, 7L);
        assertThat(budgets.used(List.of())).isEmpty();
    }

    private long waitingForTheLock() {
        return jdbc.sql("""
                SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE%'
                """).query(Long.class).single();
    }

    /** The database's clock as {@code connection} reads it now, in µs since the epoch. */
    private static long nowUs(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                        "SELECT CAST(floor(extract(epoch FROM clock_timestamp()) * 1000000) AS bigint)");
                ResultSet rs = statement.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
