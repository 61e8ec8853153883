package dev.sluice.db.model;

import dev.sluice.db.Timestamps;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code allowed_models} table: the provider's last good model list and the models operators allowed, the
 * stored half of the api-service's model registry.
 */
@Repository
public class AllowedModelRepository {

    /** Where a stored model comes from. */
    public enum Source {
        /** Listed at the provider's {@code GET /v1/models}. */
        PROVIDER,
        /** Allowed through {@code POST /admin/models}. */
        OPERATOR;

        /** The stored and shown name. */
        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final String MODELS_OF = """
            SELECT model FROM allowed_models WHERE source = :source ORDER BY model
            """;

    private static final String DROP_UNLISTED = """
            DELETE FROM allowed_models WHERE source = 'provider' AND NOT (model = ANY (CAST(:models AS text[])))
            """;

    private static final String ADD = """
            INSERT INTO allowed_models (model, source, added_at)
            SELECT m, :source, :now FROM unnest(CAST(:models AS text[])) AS m
            ON CONFLICT (model, source) DO NOTHING
            """;

    private static final String REMOVE = """
            DELETE FROM allowed_models WHERE model = :model AND source = :source
            """;

    private final JdbcClient jdbc;

    public AllowedModelRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The models of one source, sorted. */
    public List<String> models(Source source) {
        return jdbc.sql(MODELS_OF)
                .param("source", source.wire())
                .query(String.class)
                .list();
    }

    /** Replaces the stored provider list with {@code listed}; call inside a transaction. */
    public void replaceProviderList(Collection<String> listed, Instant now) {
        String[] models = listed.toArray(String[]::new);
        jdbc.sql(DROP_UNLISTED).param("models", models).update();
        jdbc.sql(ADD)
                .param("source", Source.PROVIDER.wire())
                .param("models", models)
                .param("now", Timestamps.bind(now))
                .update();
    }

    /** Allows {@code model} as an operator; false when it was already allowed so. */
    public boolean allow(String model, Instant now) {
        return jdbc.sql(ADD)
                        .param("source", Source.OPERATOR.wire())
                        .param("models", new String[] {model})
                        .param("now", Timestamps.bind(now))
                        .update()
                > 0;
    }

    /** Withdraws an operator's allowance of {@code model}; false when there was none. */
    public boolean disallow(String model) {
        return jdbc.sql(REMOVE)
                        .param("model", model)
                        .param("source", Source.OPERATOR.wire())
                        .update()
                > 0;
    }
}
