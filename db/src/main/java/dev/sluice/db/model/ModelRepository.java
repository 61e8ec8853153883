package dev.sluice.db.model;

import dev.sluice.common.Limit;
import dev.sluice.common.LimitSet;
import dev.sluice.db.Timestamps;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code models} table: which model queues exist, so that workers know what to consume, and
 * each model's pacing settings (configured and learned limits, concurrency cap, pause).
 */
@Repository
public class ModelRepository {

    private static final String REGISTER = """
            INSERT INTO models (model, first_seen_at)
            SELECT m, :now FROM unnest(:models::text[]) AS m ORDER BY m
            ON CONFLICT (model) DO NOTHING
            """;

    private static final String SETTINGS = """
            SELECT model, max_concurrency, paused, margin_ms, prompt_token_ratio, default_max_tokens
              FROM models
            """;

    private static final String LIMITS = """
            SELECT model, source, unit, amount, window_ms, learned_at
              FROM model_limits
            """;

    /** Some models' settings and limits in one statement: a row per limit, or one with null limit columns. */
    private static final String SETTINGS_OF = """
            SELECT m.model, m.max_concurrency, m.paused, m.margin_ms, m.prompt_token_ratio, m.default_max_tokens,
                   l.source, l.unit, l.amount, l.window_ms, l.learned_at
              FROM models m LEFT JOIN model_limits l ON l.model = m.model
             WHERE m.model = ANY(CAST(:models AS text[]))
             ORDER BY m.model, l.unit, l.window_ms
            """;

    /** Requests before tokens, shorter windows first: the order every listing shows them in. */
    private static final String LIMITS_ORDER = " ORDER BY model, unit, window_ms";

    /** Sets or clears (nulls) the operator's concurrency cap and answer default; creates the model if unseen. */
    private static final String CONFIGURE = """
            INSERT INTO models (model, first_seen_at, max_concurrency, default_max_tokens, updated_at)
            VALUES (:model, :now, :maxConcurrency, :defaultMaxTokens, :now)
            ON CONFLICT (model) DO UPDATE
               SET max_concurrency = EXCLUDED.max_concurrency, default_max_tokens = EXCLUDED.default_max_tokens,
                   margin_ms = NULL, updated_at = EXCLUDED.updated_at
            """;

    private static final String CLEAR_CONFIGURED = """
            DELETE FROM model_limits WHERE model = :model AND source = 'configured'
            """;

    private static final String ADD_CONFIGURED = """
            INSERT INTO model_limits (model, source, unit, amount, window_ms)
            VALUES (:model, 'configured', :unit, :amount, :windowMs)
            """;

    private static final String SET_PAUSED = """
            INSERT INTO models (model, first_seen_at, paused, updated_at) VALUES (:model, :now, :paused, :now)
            ON CONFLICT (model) DO UPDATE SET paused = EXCLUDED.paused, updated_at = EXCLUDED.updated_at
            """;

    /** A learned limit replaces the one learned earlier of the same unit and window. */
    private static final String LEARN = """
            INSERT INTO model_limits (model, source, unit, amount, window_ms, learned_at)
            SELECT model, 'learned', :unit, :amount, :windowMs, :now FROM models WHERE model = :model
            ON CONFLICT (model, source, unit, window_ms) DO UPDATE
               SET amount = EXCLUDED.amount, learned_at = EXCLUDED.learned_at
            """;

    /** Widens, never narrows: two workers widening at once keep the wider margin. */
    private static final String WIDEN_MARGIN = """
            UPDATE models SET margin_ms = GREATEST(coalesce(margin_ms, 0), :marginMs) WHERE model = :model
            """;

    private static final String SET_PROMPT_TOKEN_RATIO = """
            UPDATE models SET prompt_token_ratio = :ratio WHERE model = :model
            """;

    private final JdbcClient jdbc;

    public ModelRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records models (idempotent), in one statement. */
    public void register(Collection<String> models, Instant now) {
        if (models.isEmpty()) {
            return;
        }
        jdbc.sql(REGISTER)
                .param("models", models.stream().distinct().toArray(String[]::new))
                .param("now", Timestamps.bind(now))
                .update();
    }

    /** Every model's pacing settings, by model id. */
    public List<ModelSettings> settings() {
        Map<String, List<StoredLimit>> limits =
                jdbc.sql(LIMITS + LIMITS_ORDER).query(ModelRepository::mapLimit).list().stream()
                        .collect(Collectors.groupingBy(StoredLimit::model));
        return jdbc.sql(SETTINGS + " ORDER BY model")
                .query((rs, n) -> mapSettings(rs, limits.getOrDefault(rs.getString("model"), List.of())))
                .list();
    }

    /** One model's pacing settings. */
    public Optional<ModelSettings> settings(String model) {
        List<StoredLimit> limits = jdbc.sql(LIMITS + " WHERE model = :model" + LIMITS_ORDER)
                .param("model", model)
                .query(ModelRepository::mapLimit)
                .list();
        return jdbc.sql(SETTINGS + " WHERE model = :model")
                .param("model", model)
                .query((rs, n) -> mapSettings(rs, limits))
                .optional();
    }

    /** The settings of those of {@code models} that are stored, by model id, in one round trip. */
    public Map<String, ModelSettings> settingsOf(Collection<String> models) {
        if (models.isEmpty()) {
            return Map.of();
        }
        Map<String, List<StoredLimit>> limits = new LinkedHashMap<>();
        Map<String, ModelSettings> settings = new LinkedHashMap<>();
        jdbc.sql(SETTINGS_OF).param("models", models.toArray(String[]::new)).query(rs -> {
            List<StoredLimit> modelLimits = limits.computeIfAbsent(rs.getString("model"), model -> new ArrayList<>());
            if (rs.getString("unit") != null) {
                modelLimits.add(mapLimit(rs, 0));
            }
            // Built again at each row of the model, so that the last one has all its limits.
            settings.put(rs.getString("model"), mapSettings(rs, modelLimits));
        });
        return settings;
    }

    /**
     * Sets the operator's limits (empty: back to the default), concurrency cap (null: none) and answer default
     * (null: the service's), in one transaction with the caller's; a new set of limits also resets a margin
     * widened after 429s, which was measured against the old set.
     */
    public void configure(
            String model, List<Limit> limits, Integer maxConcurrency, Integer defaultMaxTokens, Instant now) {
        jdbc.sql(CONFIGURE)
                .param("model", model)
                .param("now", Timestamps.bind(now))
                .param("maxConcurrency", maxConcurrency)
                .param("defaultMaxTokens", defaultMaxTokens)
                .update();
        jdbc.sql(CLEAR_CONFIGURED).param("model", model).update();
        for (Limit limit : limits) {
            jdbc.sql(ADD_CONFIGURED)
                    .param("model", model)
                    .param("unit", limit.unit().wireName())
                    .param("amount", limit.amount())
                    .param("windowMs", limit.window().toMillis())
                    .update();
        }
    }

    /** Pauses or resumes a model on every worker. */
    public void setPaused(String model, boolean paused, Instant now) {
        jdbc.sql(SET_PAUSED)
                .param("model", model)
                .param("paused", paused)
                .param("now", Timestamps.bind(now))
                .update();
    }

    /**
     * Records a limit the provider stated, replacing the one learned before of the same unit and window; a model
     * not yet registered learns nothing.
     */
    public void learn(String model, Limit learned, Instant now) {
        jdbc.sql(LEARN)
                .param("model", model)
                .param("unit", learned.unit().wireName())
                .param("amount", learned.amount())
                .param("windowMs", learned.window().toMillis())
                .param("now", Timestamps.bind(now))
                .update();
    }

    /** Records how many tokens the provider counts per estimated prompt token of the model. */
    public void setPromptTokenRatio(String model, double ratio) {
        jdbc.sql(SET_PROMPT_TOKEN_RATIO)
                .param("model", model)
                .param("ratio", ratio)
                .update();
    }

    /** Records a wider safety margin for the model, for every worker (never narrows it). */
    public void widenMargin(String model, Duration margin) {
        jdbc.sql(WIDEN_MARGIN)
                .param("model", model)
                .param("marginMs", (int) margin.toMillis())
                .update();
    }

    /** One row of {@code model_limits}. */
    private record StoredLimit(String model, boolean learned, Limit limit, Instant learnedAt) {}

    private static StoredLimit mapLimit(ResultSet rs, int row) throws SQLException {
        Limit limit = new Limit(
                Limit.Unit.fromWire(rs.getString("unit")),
                rs.getLong("amount"),
                Duration.ofMillis(rs.getLong("window_ms")));
        return new StoredLimit(
                rs.getString("model"),
                "learned".equals(rs.getString("source")),
                limit,
                Timestamps.read(rs, "learned_at"));
    }

    private static ModelSettings mapSettings(ResultSet rs, List<StoredLimit> limits) throws SQLException {
        double ratio = rs.getDouble("prompt_token_ratio");
        Double promptTokenRatio = rs.wasNull() ? null : ratio;
        return new ModelSettings(
                rs.getString("model"),
                limits.stream()
                        .filter(l -> !l.learned())
                        .map(StoredLimit::limit)
                        .toList(),
                limits.stream()
                        .filter(StoredLimit::learned)
                        .map(l -> new LimitSet.Entry(l.limit(), LimitSet.Source.LEARNED, l.learnedAt()))
                        .toList(),
                Timestamps.readInt(rs, "max_concurrency"),
                rs.getBoolean("paused"),
                Optional.ofNullable(Timestamps.readInt(rs, "margin_ms"))
                        .map(Duration::ofMillis)
                        .orElse(null),
                promptTokenRatio,
                Timestamps.readInt(rs, "default_max_tokens"));
    }
}
