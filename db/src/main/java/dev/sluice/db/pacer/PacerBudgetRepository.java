package dev.sluice.db.pacer;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.UnaryOperator;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The {@code pacer_budgets} table. {@link #update} locks one (credential, model) row, lets the caller
 * decide on it with the database's clock, and writes the decision back in the same transaction, so
 * decisions of all workers for that key and model happen one after another.
 */
@Repository
public class PacerBudgetRepository {

    private static final String ENSURE = """
            INSERT INTO pacer_budgets (credential, model) VALUES (:credential, :model)
            ON CONFLICT (credential, model) DO NOTHING
            """;

    private static final String LOCK = """
            SELECT sent_us, busy_until_us, paused_until_us,
                   CAST(floor(extract(epoch FROM clock_timestamp()) * 1000000) AS bigint) AS now_us
              FROM pacer_budgets
             WHERE credential = :credential AND model = :model
               FOR UPDATE
            """;

    private static final String WRITE = """
            UPDATE pacer_budgets
               SET sent_us = :sentUs, busy_until_us = :busyUntilUs, paused_until_us = :pausedUntilUs
             WHERE credential = :credential AND model = :model
            """;

    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;

    public PacerBudgetRepository(JdbcClient jdbc, TransactionTemplate transaction) {
        this.jdbc = jdbc;
        this.transaction = transaction;
    }

    /**
     * Locks the budget of {@code credential} and {@code model} (creating it empty), hands it to
     * {@code decide}, and stores what that returns unless it returns the row unchanged
     * (the same instance). Returns the row as stored, with {@code nowUs} as read.
     */
    public BudgetRow update(String credential, String model, UnaryOperator<BudgetRow> decide) {
        return transaction.execute(status -> {
            jdbc.sql(ENSURE).param("credential", credential).param("model", model).update();
            BudgetRow current = jdbc.sql(LOCK).param("credential", credential).param("model", model)
                    .query(PacerBudgetRepository::read).single();
            BudgetRow next = decide.apply(current);
            if (next != current) {
                jdbc.sql(WRITE).param("credential", credential).param("model", model)
                        .param("sentUs", next.sentUs()).param("busyUntilUs", next.busyUntilUs())
                        .param("pausedUntilUs", next.pausedUntilUs())
                        .update();
            }
            return next;
        });
    }

    private static BudgetRow read(ResultSet rs, int row) throws SQLException {
        long pausedUntil = rs.getLong("paused_until_us");
        Long paused = rs.wasNull() ? null : pausedUntil;
        return new BudgetRow(longs(rs.getArray("sent_us")), longs(rs.getArray("busy_until_us")), paused,
                rs.getLong("now_us"));
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
