package dev.sluice.db;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.RowMapperResultSetExtractor;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;

/**
 * Statements sent to PostgreSQL together and answered together: one round trip instead of one each. PostgreSQL's
 * driver sends the statements of one prepared statement, separated by semicolons, in one message; the server runs them
 * one after another, each reading the database as it stands when it starts (as separate statements of one transaction
 * would), so a statement after a lock sees what the lock's previous holder committed. Outside a transaction they
 * commit together. On a busy two-core machine each round trip costs ~0.5–1.5 ms (docs/benchmarks.md), and the paths
 * that use this run on every facade call and every take.
 */
public final class Pipelined {

    private Pipelined() {}

    /**
     * One statement (or several, separated by semicolons) with its named parameters, to be sent along with others
     * ({@link #together}) by whoever sends next.
     */
    public record Statement(String sql, Map<String, ?> params) {

        public Statement {
            // Parameters may be null (SQL NULL): no Map.copyOf.
            params = Collections.unmodifiableMap(new HashMap<>(params));
        }

        /** Nothing to send. */
        public static final Statement NONE = new Statement("", Map.of());

        /**
         * The end of the caller's transaction, sent with its last statements ({@link #together}): their round trip
         * commits them, where a commit of its own would be one more. Only what is known to be the transaction's last
         * may go before it: after it the connection is idle, so the transaction manager's commit finds nothing to
         * send (PostgreSQL's driver sends no {@code COMMIT} on an idle connection) and its rollback nothing to undo,
         * and a statement after it would run in a transaction of its own. When a statement before it fails, the
         * server skips the rest, this included, and the transaction rolls back as usual.
         */
        public static final Statement COMMIT = new Statement("COMMIT", Map.of());
    }

    /**
     * The statements one after another, as one; a parameter two of them name must have the same value in both.
     *
     * @throws IllegalArgumentException when two statements give one parameter different values
     */
    public static Statement together(Statement... statements) {
        StringBuilder sql = new StringBuilder();
        Map<String, Object> params = new HashMap<>();
        for (Statement statement : statements) {
            if (statement.sql().isBlank()) {
                continue;
            }
            if (!sql.isEmpty()) {
                sql.append(";\n");
            }
            sql.append(statement.sql().strip());
            statement.params().forEach((name, value) -> {
                if (params.containsKey(name) && !Objects.deepEquals(params.get(name), value)) {
                    throw new IllegalArgumentException("parameter :" + name + " has two values");
                }
                params.put(name, value);
            });
        }
        return new Statement(sql.toString(), params);
    }

    /** {@link #lastRows(NamedParameterJdbcOperations, String, Map, RowMapper)} of {@code statement}. */
    public static <T> List<T> lastRows(NamedParameterJdbcOperations jdbc, Statement statement, RowMapper<T> rows) {
        return lastRows(jdbc, statement.sql(), statement.params(), rows);
    }

    /**
     * {@link #run(NamedParameterJdbcOperations, String, Map)} of {@code statement}; nothing for {@link
     * Statement#NONE}.
     */
    public static void run(NamedParameterJdbcOperations jdbc, Statement statement) {
        if (!statement.sql().isBlank()) {
            run(jdbc, statement.sql(), statement.params());
        }
    }

    /** Runs {@code statements} with {@code params} in one round trip and maps the rows of the last result set. */
    public static <T> List<T> lastRows(
            NamedParameterJdbcOperations jdbc, String statements, Map<String, ?> params, RowMapper<T> rows) {
        return jdbc.execute(statements, new MapSqlParameterSource(params), (PreparedStatement statement) -> {
            // The driver has every statement's result once execute returns; each is kept open while looking for the
            // next, since only the last is read (closing the statement closes them all).
            ResultSet last = null;
            boolean isResultSet = statement.execute();
            while (isResultSet || statement.getUpdateCount() != -1) {
                if (isResultSet) {
                    last = statement.getResultSet();
                }
                isResultSet = statement.getMoreResults(java.sql.Statement.KEEP_CURRENT_RESULT);
            }
            if (last == null) {
                throw new IllegalArgumentException("none of the statements returns rows: " + statements);
            }
            return new RowMapperResultSetExtractor<>(rows).extractData(last);
        });
    }

    /** The rows of the last two result sets of statements sent together, in order. */
    public record TwoRowSets<A, B>(List<A> first, List<B> second) {}

    /**
     * Runs {@code statement} in one round trip and maps the rows of its last two result sets: the one before the last
     * with {@code first}, the last with {@code second}.
     */
    public static <A, B> TwoRowSets<A, B> lastTwoRows(
            NamedParameterJdbcOperations jdbc, Statement statement, RowMapper<A> first, RowMapper<B> second) {
        return jdbc.execute(
                statement.sql(), new MapSqlParameterSource(statement.params()), (PreparedStatement prepared) -> {
                    ResultSet before = null;
                    ResultSet last = null;
                    boolean isResultSet = prepared.execute();
                    while (isResultSet || prepared.getUpdateCount() != -1) {
                        if (isResultSet) {
                            before = last;
                            last = prepared.getResultSet();
                        }
                        isResultSet = prepared.getMoreResults(java.sql.Statement.KEEP_CURRENT_RESULT);
                    }
                    if (before == null) {
                        throw new IllegalArgumentException(
                                "fewer than two of the statements return rows: " + statement.sql());
                    }
                    return new TwoRowSets<>(
                            new RowMapperResultSetExtractor<>(first).extractData(before),
                            new RowMapperResultSetExtractor<>(second).extractData(last));
                });
    }

    /** Runs {@code statements}, none of which returns rows, with {@code params} in one round trip. */
    public static void run(NamedParameterJdbcOperations jdbc, String statements, Map<String, ?> params) {
        jdbc.execute(statements, new MapSqlParameterSource(params), PreparedStatement::execute);
    }
}
