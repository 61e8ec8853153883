package dev.sluice.db;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
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
                isResultSet = statement.getMoreResults(Statement.KEEP_CURRENT_RESULT);
            }
            if (last == null) {
                throw new IllegalArgumentException("none of the statements returns rows: " + statements);
            }
            return new RowMapperResultSetExtractor<>(rows).extractData(last);
        });
    }

    /** Runs {@code statements}, none of which returns rows, with {@code params} in one round trip. */
    public static void run(NamedParameterJdbcOperations jdbc, String statements, Map<String, ?> params) {
        jdbc.execute(statements, new MapSqlParameterSource(params), PreparedStatement::execute);
    }
}
