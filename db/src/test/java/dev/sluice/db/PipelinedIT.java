package dev.sluice.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testsupport.TestInfrastructure;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/** What the repositories rely on when they send statements together: the last one's rows, and one commit for all. */
@SpringBootTest(classes = DbTestApplication.class)
class PipelinedIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
    }

    @Autowired
    NamedParameterJdbcOperations pipelined;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TransactionTemplate transaction;

    @Autowired
    DataSource dataSource;

    @BeforeEach
    void createTable() {
        jdbc.sql("CREATE TABLE pipelined_probe (v integer NOT NULL)").update();
    }

    @AfterEach
    void dropTable() {
        jdbc.sql("DROP TABLE pipelined_probe").update();
    }

    @Test
    void theRowsReadAreTheLastStatementsAndItSeesTheWritesBeforeIt() {
        var rows = Pipelined.lastRows(pipelined, """
                INSERT INTO pipelined_probe VALUES (:v);
                SELECT 'not this one' AS v;
                SELECT sum(v) AS v FROM pipelined_probe
                """, Map.of("v", 7), (rs, n) -> rs.getString("v"));

        assertThat(rows).containsExactly("7");
    }

    @Test
    void statementsJoinedWithTheirParametersRunAsOneAndAParameterWithTwoValuesIsRefused() {
        Map<String, Object> params = new HashMap<>();
        params.put("nothing", null);
        params.put("v", 5);
        Pipelined.Statement insert = new Pipelined.Statement(
                "INSERT INTO pipelined_probe VALUES (coalesce(CAST(:nothing AS integer), :v))", params);
        Pipelined.Statement sum = new Pipelined.Statement("SELECT sum(v) AS v FROM pipelined_probe", Map.of());
        var rows = Pipelined.lastRows(
                pipelined, Pipelined.together(insert, Pipelined.Statement.NONE, sum), (rs, n) -> rs.getString("v"));
        assertThat(rows).containsExactly("5");

        assertThatThrownBy(() -> Pipelined.together(
                        new Pipelined.Statement("SELECT :v", Map.of("v", 1)),
                        new Pipelined.Statement("SELECT :v", Map.of("v", 2))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(":v");
    }

    @Test
    void statementsSentTogetherOutsideATransactionCommitAsOne() {
        assertThatThrownBy(() -> Pipelined.run(
                        pipelined,
                        "INSERT INTO pipelined_probe VALUES (:v);\nINSERT INTO pipelined_probe VALUES (CAST(:bad AS integer))",
                        Map.of("v", 1, "bad", "not a number")))
                .isInstanceOf(DataAccessException.class);

        assertThat(rows())
                .as("the first statement's row went with the second's failure")
                .isZero();

        Pipelined.run(
                pipelined,
                "INSERT INTO pipelined_probe VALUES (:v);\nINSERT INTO pipelined_probe VALUES (:w)",
                Map.of("v", 1, "w", 2));
        assertThat(rows()).isEqualTo(2);
    }

    @Test
    void aCommitSentWithTheLastStatementsCommitsThemInTheirRoundTripAndTheTransactionEndsAsUsual() throws Exception {
        long seenElsewhere;
        try (Connection elsewhere = dataSource.getConnection()) {
            seenElsewhere = transaction.execute(status -> {
                Pipelined.run(pipelined, new Pipelined.Statement("INSERT INTO pipelined_probe VALUES (1)", Map.of()));
                Pipelined.run(
                        pipelined,
                        Pipelined.together(
                                new Pipelined.Statement("INSERT INTO pipelined_probe VALUES (:v)", Map.of("v", 2)),
                                Pipelined.Statement.COMMIT));
                // Before the transaction manager's commit: another connection already sees both rows.
                return count(elsewhere);
            });
            assertThat(seenElsewhere).isEqualTo(2);
            assertThat(count(elsewhere)).isEqualTo(2);
        }
        assertThat(rows()).isEqualTo(2);
    }

    @Test
    void aFailureBeforeTheCommitSentWithItRollsTheWholeTransactionBack() {
        assertThatThrownBy(() -> transaction.executeWithoutResult(status -> {
                    Pipelined.run(
                            pipelined, new Pipelined.Statement("INSERT INTO pipelined_probe VALUES (1)", Map.of()));
                    Pipelined.run(
                            pipelined,
                            Pipelined.together(
                                    new Pipelined.Statement(
                                            "INSERT INTO pipelined_probe VALUES (CAST(:bad AS integer))",
                                            Map.of("bad", "not a number")),
                                    Pipelined.Statement.COMMIT));
                }))
                .isInstanceOf(DataAccessException.class);

        assertThat(rows())
                .as("the row of the round trip before went with the failure: the commit was skipped")
                .isZero();
        // The connection went back to the pool usable: the next transaction commits as usual.
        transaction.executeWithoutResult(status ->
                Pipelined.run(pipelined, new Pipelined.Statement("INSERT INTO pipelined_probe VALUES (3)", Map.of())));
        assertThat(rows()).isEqualTo(1);
    }

    /** The probe table's rows, as this test's own connection sees them. */
    private long rows() {
        return jdbc.sql("SELECT count(*) FROM pipelined_probe")
                .query(Long.class)
                .single();
    }

    /** The probe table's rows, as {@code connection} sees them. */
    private static long count(Connection connection) {
        try (var statement = connection.createStatement();
                var rows = statement.executeQuery("SELECT count(*) FROM pipelined_probe")) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
