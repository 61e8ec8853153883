package dev.sluice.worker.pacing;

import dev.sluice.common.Limit;
import dev.sluice.common.LimitSet;
import dev.sluice.common.TokenEstimate;
import dev.sluice.db.SharedProperties;
import dev.sluice.db.model.ModelRepository;
import dev.sluice.db.model.ModelSettings;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * Each model's pacing settings as this worker knows them: re-read from the {@code models} and {@code model_limits}
 * tables every second by the intake, so limits set through {@code PUT /admin/limits} or a pause reach every worker
 * within about a second; a limit learned here applies here at once and elsewhere at their next read.
 *
 * <p>It also learns, per model, how many tokens the provider counts per estimated prompt token (the estimate is
 * exact for models a tokenizer fits and approximate for others): an exponential average of
 * {@code usage.prompt_tokens / estimate} over answers, stored for every worker at the next refresh and applied to
 * every later reservation of the model.
 */
@Component
public class ModelLimits implements LimitSource {

    /** How much one answer moves the learned prompt-token ratio. */
    static final double RATIO_WEIGHT = 0.1;

    private final ModelRepository models;
    private final InstantSource clock;
    private final List<Limit> defaultLimits;
    private final int defaultMaxTokens;
    private volatile Map<String, ModelSettings> byModel = Map.of();
    private final Map<String, List<LimitSet.Entry>> learnedHere = new ConcurrentHashMap<>();
    private final Map<String, Double> ratiosHere = new ConcurrentHashMap<>();

    ModelLimits(ModelRepository models, InstantSource clock, SharedProperties properties) {
        this.models = models;
        this.clock = clock;
        this.defaultLimits = properties.defaultLimits();
        this.defaultMaxTokens = properties.defaultMaxTokens();
    }

    /**
     * Stores the prompt-token ratios learned here since the last refresh, then re-reads every model's settings;
     * returns them so that the intake can start consumers for new models.
     */
    public Map<String, ModelSettings> refresh() {
        for (String model : List.copyOf(ratiosHere.keySet())) {
            Double ratio = ratiosHere.remove(model);
            if (ratio != null) {
                models.setPromptTokenRatio(model, ratio);
            }
        }
        Map<String, ModelSettings> fresh = models.settings().stream()
                .collect(Collectors.toUnmodifiableMap(ModelSettings::model, Function.identity()));
        byModel = fresh;
        learnedHere.keySet().removeIf(model -> {
            ModelSettings stored = fresh.get(model);
            return stored != null
                    && stored.learned().stream()
                            .map(LimitSet.Entry::limit)
                            .toList()
                            .containsAll(learnedHere.get(model).stream()
                                    .map(LimitSet.Entry::limit)
                                    .toList());
        });
        return fresh;
    }

    /** Every limit in force: the configured ones (else the defaults) joined by those learned here or elsewhere. */
    @Override
    public LimitSet limits(String model) {
        ModelSettings settings = byModel.get(model);
        LimitSet limits =
                settings == null ? LimitSet.of(List.of(), defaultLimits, List.of()) : settings.limits(defaultLimits);
        for (LimitSet.Entry entry : learnedHere.getOrDefault(model, List.of())) {
            limits = limits.learn(entry.limit(), entry.learnedAt());
        }
        return limits;
    }

    /** The cap on requests in flight per credential, or null for none. */
    @Override
    public Integer maxConcurrency(String model) {
        ModelSettings settings = byModel.get(model);
        return settings == null ? null : settings.maxConcurrency();
    }

    /**
     * The tokens to reserve: the prompt estimate times what the provider counted per estimated token so far, plus
     * the answer's maximum (the model's default, else {@code SLUICE_DEFAULT_MAX_TOKENS}, when the request names none).
     */
    @Override
    public long cost(String model, TokenEstimate estimate) {
        ModelSettings settings = byModel.get(model);
        Integer modelDefault = settings == null ? null : settings.defaultMaxTokens();
        return estimate.cost(promptTokenRatio(model), modelDefault != null ? modelDefault : defaultMaxTokens);
    }

    /** Provider-counted prompt tokens per estimated one for {@code model}; 1 until answers have told. */
    public double promptTokenRatio(String model) {
        Double here = ratiosHere.get(model);
        if (here != null) {
            return here;
        }
        ModelSettings settings = byModel.get(model);
        return settings == null || settings.promptTokenRatio() == null ? 1.0 : settings.promptTokenRatio();
    }

    /** Learns from an answer: the provider counted {@code counted} prompt tokens where {@code estimated} were estimated. */
    public void observePromptTokens(String model, int estimated, int counted) {
        if (estimated <= 0 || counted <= 0) {
            return;
        }
        double observed = (double) counted / estimated;
        ratiosHere.compute(model, (m, here) -> {
            double current = here != null ? here : promptTokenRatio(m);
            return current + RATIO_WEIGHT * (observed - current);
        });
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

    /** Adopts and stores a limit the provider stated; it replaces only a learned one of the same unit and window. */
    public void learn(String model, Limit learned) {
        Instant now = clock.instant();
        learnedHere.compute(model, (m, entries) -> {
            List<LimitSet.Entry> next = new ArrayList<>();
            if (entries != null) {
                entries.stream().filter(e -> !e.limit().sameKind(learned)).forEach(next::add);
            }
            next.add(new LimitSet.Entry(learned, LimitSet.Source.LEARNED, now));
            return List.copyOf(next);
        });
        models.learn(model, learned, now);
    }
}
