package dev.sluice.simulator.stats;

import java.time.Instant;
import java.util.Map;

/**
 * A snapshot of {@code GET /__stats}.
 *
 * @param since when counting started (start or last reset)
 * @param limit the limit in force, e.g. {@code 15/60s}, or {@code none}
 * @param window {@code sliding} or {@code fixed}
 * @param totals all models together
 * @param models per model id, sorted
 * @param keys per API key (as sent: the simulator is a test double, never give it a real key), then per model
 * @param extraLimit the second request window, e.g. {@code 1000/86400s}, or {@code none}
 * @param tokenLimit the token budget, e.g. {@code 30000/60s}, or {@code none}
 */
public record SimulatorStats(
        Instant since,
        String limit,
        String window,
        Totals totals,
        Map<String, ModelStats> models,
        Map<String, Map<String, ModelStats>> keys,
        String extraLimit,
        String tokenLimit) {

    /** The stats of {@code model}, or {@link ModelStats#EMPTY} if it saw no request. */
    public ModelStats model(String model) {
        return models.getOrDefault(model, ModelStats.EMPTY);
    }

    /** The stats of {@code model} under {@code apiKey}, or {@link ModelStats#EMPTY}. */
    public ModelStats key(String apiKey, String model) {
        return keys.getOrDefault(apiKey, Map.of()).getOrDefault(model, ModelStats.EMPTY);
    }
}
