package dev.sluice.db.operations;

import dev.sluice.db.Timestamps;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code alert_states} table: whether each alert the workers evaluate is firing, so that its
 * notification is sent once on firing and once on recovery whichever worker evaluates it.
 */
@Repository
public class AlertStateRepository {

    /** Transaction-scoped: released at commit or rollback, so a worker that dies never holds it. */
    private static final String TRY_LOCK = """
            SELECT pg_try_advisory_xact_lock(hashtext('sluice.alerts'))
            """;

    private static final String FIRING = """
            SELECT subject, firing FROM alert_states WHERE alert = :alert
            """;

    private static final String SET = """
            INSERT INTO alert_states (alert, subject, firing, changed_at) VALUES (:alert, :subject, :firing, :now)
            ON CONFLICT ON CONSTRAINT alert_states_pk
            DO UPDATE SET firing = EXCLUDED.firing, changed_at = EXCLUDED.changed_at
            """;

    private final JdbcClient jdbc;

    public AlertStateRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Takes the alert evaluation lock for the current transaction; false when another worker holds it.
     * Must run inside a transaction.
     */
    public boolean tryLock() {
        return Boolean.TRUE.equals(jdbc.sql(TRY_LOCK).query(Boolean.class).single());
    }

    /** Each subject's last recorded state of {@code alert}. */
    public Map<String, Boolean> states(String alert) {
        return jdbc
                .sql(FIRING)
                .param("alert", alert)
                .query((rs, n) -> Map.entry(rs.getString("subject"), rs.getBoolean("firing")))
                .list()
                .stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** Records that {@code alert} about {@code subject} now fires (or no longer does). */
    public void set(String alert, String subject, boolean firing, Instant now) {
        jdbc.sql(SET)
                .param("alert", alert)
                .param("subject", subject)
                .param("firing", firing)
                .param("now", Timestamps.bind(now))
                .update();
    }
}
