package dev.sluice.api.tokens;

import dev.sluice.api.web.ApiException;
import dev.sluice.common.Limit;
import dev.sluice.common.LimitSet;
import dev.sluice.common.TokenEstimate;
import dev.sluice.db.SharedProperties;
import dev.sluice.db.model.ModelRepository;
import dev.sluice.db.model.ModelSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Refuses at submission a request that can never be sent: one whose tokens — its estimate, corrected and completed as
 * the pacer will reserve it — exceed a whole token window of its model. Such a request would wait in the queue
 * forever (docs/pacing.md, "Token budgets"), so it is a 400 {@code request_too_large} instead, naming the line of a
 * batch. A model's limits are read at most once a second per model, so a 100,000-line batch costs no query per line.
 */
@Component
public class TokenLimits {

    /** How long a model's limits are reused between reads. */
    static final Duration FRESH_FOR = Duration.ofSeconds(1);

    private final ModelRepository models;
    private final List<Limit> defaults;
    private final int defaultMaxTokens;
    private final Clock clock;
    private final Map<String, Cached> byModel = new ConcurrentHashMap<>();

    TokenLimits(ModelRepository models, SharedProperties properties, Clock clock) {
        this.models = models;
        this.defaults = properties.defaultLimits();
        this.defaultMaxTokens = properties.defaultMaxTokens();
        this.clock = clock;
    }

    /** A model's limits, its prompt-token ratio and its answer default, as read at {@code readAt}. */
    private record Cached(LimitSet limits, double ratio, int defaultMaxTokens, Instant readAt) {}

    /**
     * Throws the 400 when a request to {@code model} with {@code estimate} can never fit its model's token limits.
     *
     * @param param the request's body as a parameter, e.g. {@code requests[3].body}
     * @param where appended to the message to point at the line, e.g. {@code " (line 4)"}, or empty
     */
    public void check(String model, TokenEstimate estimate, String param, String where) {
        Cached cached = cached(model);
        Optional<Limit> tightest = cached.limits().tightestTokenLimit();
        if (tightest.isEmpty()) {
            return;
        }
        long cost = estimate.cost(cached.ratio(), cached.defaultMaxTokens());
        if (cost > tightest.get().amount()) {
            throw ApiException.invalid(
                    param,
                    "request_too_large",
                    "This request" + where + " needs about " + cost + " tokens (" + estimate.promptTokens()
                            + " in its prompt, "
                            + (estimate.maxOutputTokens() != null
                                    ? estimate.maxOutputTokens() + " for its answer (max_tokens)"
                                    : cached.defaultMaxTokens() + " for its answer (no max_tokens given)")
                            + "), more than model '" + model + "' admits in a whole window ("
                            + tightest.get() + "); it could never be sent. Shorten it or lower max_tokens.");
        }
    }

    private Cached cached(String model) {
        Instant now = clock.instant();
        Cached cached = byModel.get(model);
        if (cached != null && Duration.between(cached.readAt(), now).compareTo(FRESH_FOR) < 0) {
            return cached;
        }
        Optional<ModelSettings> settings = models.settings(model);
        Cached fresh = new Cached(
                settings.map(s -> s.limits(defaults)).orElseGet(() -> LimitSet.of(List.of(), defaults, List.of())),
                settings.map(ModelSettings::promptTokenRatio).orElse(1.0),
                settings.map(ModelSettings::defaultMaxTokens).orElse(defaultMaxTokens),
                now);
        byModel.put(model, fresh);
        return fresh;
    }
}
