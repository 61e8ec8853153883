package dev.sluice.db.pacer;

import dev.sluice.common.Limit;
import dev.sluice.db.Pipelined;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The {@code pacer_budgets} table. {@link #update} locks one (credential, model) row, reads the database's
 * clock once the lock is held, lets the caller decide on the row at that time, and writes the decision back in the same transaction, so
 * decisions of all workers for that key and model happen one after another.
 */
@Repository
public class PacerBudgetRepository {

    private static final String ENSURE = """
            INSERT INTO pacer_budgets (credential, model) VALUES (:credential, :model)
            ON CONFLICT (credential, model) DO NOTHING
            """;

    /** The database's clock, for a budget that has no row yet. */
    private static final String NOW = """
            SELECT CAST(floor(extract(epoch FROM clock_timestamp()) * 1000000) AS bigint)
            """;

    /**
     * The budget as it stands and the database's clock, in one statement without a lock: what the room for a burst
     * is estimated from ({@link #read}); the grant itself is decided under the lock.
     */
    private static final String PEEK = """
            SELECT sent_us, sent_counts, sent_tokens, busy_until_us, paused_until_us,
                   CAST(floor(extract(epoch FROM clock_timestamp()) * 1000000) AS bigint) AS now_us
              FROM pacer_budgets
             WHERE credential = :credential AND model = :model
            """;

    /**
     * The row locked, then read again with the database's clock, in one round trip ({@link Pipelined}). The clock is
     * read by a statement of its own, which starts once the lock is held: a {@code clock_timestamp()} in the locking
     * SELECT is evaluated before that SELECT waits for the lock, so a decision made behind another worker's would
     * carry a time from before its wait. No rows when the budget has none yet.
     */
    private static final String LOCK = """
            SELECT 1 FROM pacer_budgets WHERE credential = :credential AND model = :model FOR UPDATE;
            """ + PEEK;

    /**
     * {@link #PEEK} for several credentials of one model, one row each in the order given (an empty budget where there
     * is none yet), each with the database's clock.
     */
    private static final String PEEK_MANY = """
            SELECT b.sent_us, b.sent_counts, b.sent_tokens, b.busy_until_us, b.paused_until_us,
                   b.credential IS NOT NULL AS present,
                   CAST(floor(extract(epoch FROM clock_timestamp()) * 1000000) AS bigint) AS now_us
              FROM unnest(CAST(:peeked AS text[])) WITH ORDINALITY AS c (credential, i)
              LEFT JOIN pacer_budgets b ON b.credential = c.credential AND b.model = :model
             ORDER BY c.i
            """;

    /**
     * Creates the budgets asked for that have no row yet (writing nothing for those that have one), then locks them in
     * key order (as every take locks them) for the rest of the transaction; a {@link #PEEK_MANY} sent after it reads
     * them as their previous holders committed them. Created first, so that none appears between the lock and the
     * reading unlocked.
     */
    private static final String LOCK_MANY = """
            INSERT INTO pacer_budgets (credential, model)
            SELECT c.credential, :model FROM unnest(CAST(:peeked AS text[])) AS c (credential)
            ON CONFLICT (credential, model) DO NOTHING;
            SELECT 1 FROM pacer_budgets
             WHERE model = :model AND credential = ANY(CAST(:peeked AS text[]))
             ORDER BY credential
               FOR UPDATE
            """;

    private static final String WRITE = """
            UPDATE pacer_budgets
               SET sent_us = :sentUs, sent_counts = :sentCounts, sent_tokens = :sentTokens,
                   busy_until_us = :busyUntilUs, paused_until_us = :pausedUntilUs
             WHERE credential = :credential AND model = :model
            """;

    /**
     * How much of each limit asked for (model, whether it counts tokens, window) the model's busiest credential has
     * used within the limit's last window, by the ledger, on the database's clock read once (no lock: a reading for
     * operators, not a decision); one row per limit asked for, in the order asked ({@code i}, from 1).
     */
    private static final String USED = """
            SELECT q.i, coalesce(max(u.used), 0) AS used
              FROM unnest(:models::text[], :tokens::boolean[], :windowsUs::bigint[])
                   WITH ORDINALITY AS q (model, tokens, window_us, i)
             CROSS JOIN (SELECT CAST(floor(extract(epoch FROM clock_timestamp()) * 1000000) AS bigint) AS us) now
              LEFT JOIN LATERAL (
                   SELECT sum(CASE WHEN q.tokens THEN e.tokens ELSE e.requests END) AS used
                     FROM pacer_budgets b,
                          unnest(b.sent_us, b.sent_counts, b.sent_tokens) AS e (sent_us, requests, tokens)
                    WHERE b.model = q.model AND e.sent_us > now.us - q.window_us
                    GROUP BY b.credential) u ON true
             GROUP BY q.i
             ORDER BY q.i
            """;

    private final JdbcClient jdbc;
    private final NamedParameterJdbcOperations pipelined;
    private final TransactionTemplate transaction;

    public PacerBudgetRepository(
            JdbcClient jdbc, NamedParameterJdbcOperations pipelined, TransactionTemplate transaction) {
        this.jdbc = jdbc;
        this.pipelined = pipelined;
        this.transaction = transaction;
    }

    /**
     * Locks the budget of {@code credential} and {@code model} (creating it empty), reads the database's clock
     * after the lock is held, hands both to {@code decide}, and stores what that returns unless it returns the row unchanged
     * (the same instance). Returns the row as stored, with {@code nowUs} as read.
     */
    public BudgetRow update(String credential, String model, UnaryOperator<BudgetRow> decide) {
        return update(credential, model, decide, Pipelined.Statement.NONE);
    }

    /**
     * As {@link #update(String, String, UnaryOperator)}, with {@code before} (writes of the caller's transaction, whose
     * parameters name neither {@code credential} nor a {@code model} other than this one) sent ahead of the lock in
     * the same round trip ({@link Pipelined#together}).
     */
    public BudgetRow update(
            String credential, String model, UnaryOperator<BudgetRow> decide, Pipelined.Statement before) {
        return transaction.execute(status -> {
            Decided decided = decide(credential, model, decide, before);
            Pipelined.run(pipelined, decided.write());
            return decided.row();
        });
    }

    /**
     * A budget decided under its row's lock: the row as decided, and the write that stores it ({@link
     * Pipelined.Statement#NONE} when {@code decide} left it unchanged), which the caller sends in the same
     * transaction, before it commits and while it holds the lock.
     */
    public record Decided(BudgetRow row, Pipelined.Statement write) {}

    /**
     * As {@link #update(String, String, UnaryOperator, Pipelined.Statement)}, in the caller's transaction, without
     * sending the write: the caller sends it with its next statements ({@link Pipelined#together}), one round trip
     * fewer. Until it is sent (and committed) the decision is recorded nowhere, so a caller that does not send it
     * must roll back. Refused outside a transaction, where the lock would not outlive the call.
     */
    public Decided decide(
            String credential, String model, UnaryOperator<BudgetRow> decide, Pipelined.Statement before) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException(
                    "a budget's decision is written in the caller's transaction: none is active");
        }
        // The row exists but the first time: lock it at once, and create it only when there is none.
        BudgetRow current = lock(before, credential, model).orElseGet(() -> {
            jdbc.sql(ENSURE)
                    .param("credential", credential)
                    .param("model", model)
                    .update();
            return lock(Pipelined.Statement.NONE, credential, model).orElseThrow();
        });
        BudgetRow next = decide.apply(current);
        return new Decided(next, next == current ? Pipelined.Statement.NONE : writing(credential, model, next));
    }

    /**
     * The write that stores {@code row} as the budget of {@code credential} and {@code model}, to be sent in the
     * transaction that holds the budget's lock ({@link #locking}, {@link #decide}).
     */
    public static Pipelined.Statement writing(String credential, String model, BudgetRow row) {
        Map<String, Object> params = new HashMap<>();
        params.put("credential", credential);
        params.put("model", model);
        params.put("sentUs", row.sentUs());
        params.put("sentCounts", row.sentCounts());
        params.put("sentTokens", row.sentTokens());
        params.put("busyUntilUs", row.busyUntilUs());
        params.put("pausedUntilUs", row.pausedUntilUs());
        return new Pipelined.Statement(WRITE, params);
    }

    /**
     * Locks the budget's row for the rest of the transaction and reads it with the database's clock after the lock;
     * empty when it has none yet.
     */
    private Optional<BudgetRow> lock(Pipelined.Statement before, String credential, String model) {
        return Pipelined.lastRows(
                        pipelined,
                        Pipelined.together(
                                before,
                                new Pipelined.Statement(LOCK, Map.of("credential", credential, "model", model))),
                        PacerBudgetRepository::readWithClock)
                .stream()
                .findFirst();
    }

    /**
     * The reading of {@link #read} for each of {@code credentials} of {@code model}, as a statement to send with
     * another ({@link Pipelined#together}, whose parameters may name {@code model} only with this value); its rows
     * map with {@link #READ} in the order of {@code credentials}.
     */
    public static Pipelined.Statement reading(String model, List<String> credentials) {
        return new Pipelined.Statement(PEEK_MANY, Map.of("model", model, "peeked", credentials.toArray(String[]::new)));
    }

    /** A row of {@link #reading}: a budget as it stands (empty where there is none) at the database's clock. */
    public static final RowMapper<BudgetRow> READ = PacerBudgetRepository::readWithClock;

    /**
     * A budget read under its row's lock in the caller's transaction ({@link #locking}); {@code locked} is false where
     * it had no row when the lock was taken (deleted since it was created), so nothing was locked ({@link #decide}
     * creates it again).
     */
    public record LockedBudget(BudgetRow row, boolean locked) {}

    /**
     * Locks the budgets of {@code model} under {@code credentials}, in key order, creating those that have no row yet,
     * for the rest of the caller's transaction (its rows are not for reading): a {@link #reading} of the same budgets
     * sent after it, in the same round trip ({@link Pipelined#together}), reads them locked, its rows mapped with
     * {@link #LOCKED}. A decision made on them is stored by {@link #writing}, sent before the transaction commits.
     */
    public static Pipelined.Statement locking(String model, List<String> credentials) {
        return new Pipelined.Statement(LOCK_MANY, Map.of("model", model, "peeked", credentials.toArray(String[]::new)));
    }

    /** A row of {@link #reading} sent after {@link #locking}. */
    public static final RowMapper<LockedBudget> LOCKED =
            (rs, row) -> new LockedBudget(readWithClock(rs, row), rs.getBoolean("present"));

    /**
     * The budget of {@code credential} and {@code model} as it stands (empty if it has none yet), at the database's
     * clock, without locking it or writing: a reading that another worker's grant may overtake at once, good for an
     * estimate (how many messages to take) and never for a decision.
     */
    public BudgetRow read(String credential, String model) {
        return jdbc.sql(PEEK)
                .param("credential", credential)
                .param("model", model)
                .query(PacerBudgetRepository::readWithClock)
                .optional()
                .orElseGet(() -> BudgetRow.empty(jdbc.sql(NOW).query(Long.class).single()));
    }

    /** How much of {@code limit} the busiest credential has used for {@code model} within its last window. */
    public long used(String model, Limit limit) {
        return used(List.of(new ModelLimit(model, limit)))[0];
    }

    /**
     * For each of {@code limits}, in order, how much of it the model's busiest credential has used within its last
     * window: one statement whatever the number of models and limits.
     */
    public long[] used(List<ModelLimit> limits) {
        if (limits.isEmpty()) {
            return new long[0];
        }
        long[] used = new long[limits.size()];
        jdbc.sql(USED)
                .param("models", limits.stream().map(ModelLimit::model).toArray(String[]::new))
                .param(
                        "tokens",
                        limits.stream().map(l -> !l.limit().countsRequests()).toArray(Boolean[]::new))
                .param(
                        "windowsUs",
                        limits.stream()
                                .map(l -> l.limit().window().toNanos() / 1_000)
                                .toArray(Long[]::new))
                .query(rs -> {
                    used[rs.getInt("i") - 1] = rs.getLong("used");
                });
        return used;
    }

    /** One limit in force for one model, whose use {@link #used(List)} reads. */
    public record ModelLimit(String model, Limit limit) {}

    /** A row of {@link #PEEK}: the budget and the database's clock. */
    private static BudgetRow readWithClock(ResultSet rs, int row) throws SQLException {
        Columns budget = read(rs, row);
        return new BudgetRow(
                budget.sentUs(),
                budget.sentCounts(),
                budget.sentTokens(),
                budget.busyUntilUs(),
                budget.pausedUntilUs(),
                rs.getLong("now_us"));
    }

    /** The row's columns, without the clock. */
    private record Columns(
            long[] sentUs, int[] sentCounts, long[] sentTokens, long[] busyUntilUs, Long pausedUntilUs) {}

    private static Columns read(ResultSet rs, int row) throws SQLException {
        long pausedUntil = rs.getLong("paused_until_us");
        Long paused = rs.wasNull() ? null : pausedUntil;
        long[] sent = longs(rs.getArray("sent_us"));
        long[] counts = longs(rs.getArray("sent_counts"));
        long[] tokens = longs(rs.getArray("sent_tokens"));
        if (counts.length != sent.length || tokens.length != sent.length) {
            // A row written before the ledger had counts: each send counts one request and no tokens.
            counts = new long[sent.length];
            java.util.Arrays.fill(counts, 1);
            tokens = new long[sent.length];
        }
        return new Columns(
                sent,
                java.util.Arrays.stream(counts).mapToInt(Math::toIntExact).toArray(),
                tokens,
                longs(rs.getArray("busy_until_us")),
                paused);
    }

    private static long[] longs(Array array) throws SQLException {
        if (array == null) {
            return new long[0];
        }
        Object[] values = (Object[]) array.getArray();
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = ((Number) values[i]).longValue();
        }
        return out;
    }
}
