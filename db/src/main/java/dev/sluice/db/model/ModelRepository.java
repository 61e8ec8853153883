package dev.sluice.db.model;

import dev.sluice.db.Timestamps;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code models} table: which model queues exist, so that workers know what to consume. */
@Repository
public class ModelRepository {

    private static final String REGISTER = """
            INSERT INTO models (model, first_seen_at) VALUES (:model, :now)
            ON CONFLICT (model) DO NOTHING
            """;

    private static final String ALL = """
            SELECT model FROM models ORDER BY model
            """;

    private final JdbcClient jdbc;

    public ModelRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records models (idempotent). */
    public void register(Collection<String> models, Instant now) {
        for (String model : models) {
            jdbc.sql(REGISTER).param("model", model).param("now", Timestamps.bind(now)).update();
        }
    }

    /** Every known model. */
    public List<String> all() {
        return jdbc.sql(ALL).query(String.class).list();
    }
}
