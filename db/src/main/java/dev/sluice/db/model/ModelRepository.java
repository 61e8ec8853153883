package dev.sluice.db.model;

import dev.sluice.common.Limit;
import dev.sluice.db.Timestamps;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code models} table: which model queues exist, so that workers know what to consume, and
 * each model's pacing settings (configured and learned limits, concurrency cap, pause).
 */
@Repository
public class ModelRepository {

    private static final String REGISTER = """
            INSERT INTO models (model, first_seen_at) VALUES (:model, :now)
            ON CONFLICT (model) DO NOTHING
            """;

    private static final String SETTINGS = """
            SELECT model, limit_requests, limit_window_ms, max_concurrency, learned_requests, learned_window_ms,
                   learned_at, paused, margin_ms
              FROM models
            """;

    /** Sets or clears (nulls) the operator's limit and concurrency cap; creates the model if unseen. */
    private static final String CONFIGURE = """
            INSERT INTO models (model, first_seen_at, limit_requests, limit_window_ms, max_concurrency, updated_at)
            VALUES (:model, :now, :requests, :windowMs, :maxConcurrency, :now)
            ON CONFLICT (model) DO UPDATE
               SET limit_requests = EXCLUDED.limit_requests, limit_window_ms = EXCLUDED.limit_window_ms,
                   max_concurrency = EXCLUDED.max_concurrency, updated_at = EXCLUDED.updated_at
            """;

    private static final String SET_PAUSED = """
            INSERT INTO models (model, first_seen_at, paused, updated_at) VALUES (:model, :now, :paused, :now)
            ON CONFLICT (model) DO UPDATE SET paused = EXCLUDED.paused, updated_at = EXCLUDED.updated_at
            """;

    private static final String LEARN = """
            UPDATE models SET learned_requests = :requests, learned_window_ms = :windowMs, learned_at = :now
             WHERE model = :model
            """;

    /** Widens, never narrows: two workers widening at once keep the wider margin. */
    private static final String WIDEN_MARGIN = """
            UPDATE models SET margin_ms = GREATEST(coalesce(margin_ms, 0), :marginMs) WHERE model = :model
            """;

    /**
     * Which of the given models have a queued job that is due (its backoff, if any, over): work a worker must
     * dispatch. One index probe per model ({@code jobs_queued_by_model_ix}); a job in backoff is held by the
     * worker that will retry it, so it does not count.
     */
    private static final String WITH_DUE_WORK = """
            SELECT m.model FROM models m
             WHERE m.model = ANY (CAST(:models AS text[]))
               AND EXISTS (SELECT 1 FROM jobs j
                            WHERE j.model = m.model AND j.status = 'queued'
                              AND (j.not_before IS NULL OR j.not_before <= now()))
            """;

    private final JdbcClient jdbc;

    public ModelRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records models (idempotent). */
    public void register(Collection<String> models, Instant now) {
        for (String model : models) {
            jdbc.sql(REGISTER)
                    .param("model", model)
                    .param("now", Timestamps.bind(now))
                    .update();
        }
    }

    /** Every model's pacing settings, by model id. */
    public List<ModelSettings> settings() {
        return jdbc.sql(SETTINGS + " ORDER BY model")
                .query(ModelRepository::mapSettings)
                .list();
    }

    /** One model's pacing settings. */
    public Optional<ModelSettings> settings(String model) {
        return jdbc.sql(SETTINGS + " WHERE model = :model")
                .param("model", model)
                .query(ModelRepository::mapSettings)
                .optional();
    }

    /** Those of {@code candidates} that have a queued job due now (see {@link #WITH_DUE_WORK}). */
    public Set<String> withDueWork(Collection<String> candidates) {
        if (candidates.isEmpty()) {
            return Set.of();
        }
        return Set.copyOf(jdbc.sql(WITH_DUE_WORK)
                .param("models", candidates.toArray(String[]::new))
                .query(String.class)
                .list());
    }

    /** Sets the operator's limit (null: back to the default) and concurrency cap (null: none). */
    public void configure(String model, Limit limit, Integer maxConcurrency, Instant now) {
        jdbc.sql(CONFIGURE)
                .param("model", model)
                .param("now", Timestamps.bind(now))
                .param("requests", limit == null ? null : limit.requests())
                .param("windowMs", limit == null ? null : limit.window().toMillis())
                .param("maxConcurrency", maxConcurrency)
                .update();
    }

    /** Pauses or resumes a model on every worker. */
    public void setPaused(String model, boolean paused, Instant now) {
        jdbc.sql(SET_PAUSED)
                .param("model", model)
                .param("paused", paused)
                .param("now", Timestamps.bind(now))
                .update();
    }

    /** Records the limit the provider stated in a 429, replacing what was learned before. */
    public void learn(String model, Limit learned, Instant now) {
        jdbc.sql(LEARN)
                .param("model", model)
                .param("requests", learned.requests())
                .param("windowMs", learned.window().toMillis())
                .param("now", Timestamps.bind(now))
                .update();
    }

    /** Records a wider safety margin for the model, for every worker (never narrows it). */
    public void widenMargin(String model, Duration margin) {
        jdbc.sql(WIDEN_MARGIN)
                .param("model", model)
                .param("marginMs", (int) margin.toMillis())
                .update();
    }

    private static ModelSettings mapSettings(ResultSet rs, int row) throws SQLException {
        return new ModelSettings(
                rs.getString("model"),
                limit(Timestamps.readInt(rs, "limit_requests"), Timestamps.readLong(rs, "limit_window_ms")),
                Timestamps.readInt(rs, "max_concurrency"),
                limit(Timestamps.readInt(rs, "learned_requests"), Timestamps.readLong(rs, "learned_window_ms")),
                Timestamps.read(rs, "learned_at"),
                rs.getBoolean("paused"),
                Optional.ofNullable(Timestamps.readInt(rs, "margin_ms"))
                        .map(Duration::ofMillis)
                        .orElse(null));
    }

    private static Limit limit(Integer requests, Long windowMs) {
        return requests == null ? null : new Limit(requests, Duration.ofMillis(windowMs));
    }
}
