package dev.sluice.worker.pacing;

import dev.sluice.common.Limit;
import dev.sluice.db.SharedProperties;
import dev.sluice.db.model.ModelRepository;
import dev.sluice.db.model.ModelSettings;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * Each model's pacing settings as this worker knows them: re-read from the {@code models} table every
 * second by the intake, so a limit set through {@code PUT /admin/limits} or a pause reaches every
 * worker within about a second; a limit learned here applies here at once and elsewhere at their next read.
 */
@Component
public class ModelLimits implements LimitSource {

    private final ModelRepository models;
    private final InstantSource clock;
    private final Limit defaultLimit;
    private volatile Map<String, ModelSettings> byModel = Map.of();
    private final Map<String, Limit> learnedHere = new ConcurrentHashMap<>();

    ModelLimits(ModelRepository models, InstantSource clock, SharedProperties properties) {
        this.models = models;
        this.clock = clock;
        this.defaultLimit = properties.defaultLimit();
    }

    /** Re-reads every model's settings; returns them so that the intake can start consumers for new models. */
    public Map<String, ModelSettings> refresh() {
        Map<String, ModelSettings> fresh = models.settings().stream()
                .collect(Collectors.toUnmodifiableMap(ModelSettings::model, Function.identity()));
        byModel = fresh;
        learnedHere
                .keySet()
                .removeIf(model -> fresh.containsKey(model) && fresh.get(model).learned() != null);
        return fresh;
    }

    /** The limit in force: the stricter of the configured (or default) and the learned one. */
    @Override
    public Limit effective(String model) {
        ModelSettings settings = byModel.get(model);
        Limit limit = settings == null ? defaultLimit : settings.effective(defaultLimit);
        Limit learned = learnedHere.get(model);
        return learned == null ? limit : limit.stricter(learned);
    }

    /** The cap on requests in flight per credential, or null for none. */
    @Override
    public Integer maxConcurrency(String model) {
        ModelSettings settings = byModel.get(model);
        return settings == null ? null : settings.maxConcurrency();
    }

    /** Whether an operator paused the model. */
    @Override
    public boolean paused(String model) {
        ModelSettings settings = byModel.get(model);
        return settings != null && settings.paused();
    }

    /** The margin widened after 429s, shared by every worker, or null for the configured one. */
    @Override
    public Duration widenedMargin(String model) {
        ModelSettings settings = byModel.get(model);
        return settings == null ? null : settings.widenedMargin();
    }

    /** Stores a wider margin for every worker; this worker applies it at its next refresh. */
    @Override
    public void widenMargin(String model, Duration margin) {
        models.widenMargin(model, margin);
    }

    /** Adopts and stores a limit the provider stated. */
    public void learn(String model, Limit learned) {
        learnedHere.put(model, learned);
        models.learn(model, learned, clock.instant());
    }
}
