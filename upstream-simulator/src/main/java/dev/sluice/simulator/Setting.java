package dev.sluice.simulator;

import dev.sluice.simulator.limit.Limit;
import dev.sluice.simulator.limit.WindowKind;
import dev.sluice.simulator.openai.StreamingMode;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The settings by name: environment variable at start, JSON field in {@code /__config}. The meaning of
 * each is on the matching {@link SimulatorConfig} component.
 */
enum Setting {

    /** Port; 0 picks a free one. Read-only at run time. */
    PORT("SERVER_PORT", "port", (c, v) -> c.withPort(Integer.parseInt(v)), SimulatorConfig::port),
    /** {@code N/Ws}, {@code N/Wm}, {@code 0} or {@code none}. */
    LIMIT("SIMULATOR_LIMIT", "limit", SimulatorConfig::withLimit, c -> c.limit().toString()),
    /** {@code sliding} or {@code fixed}. */
    WINDOW(
            "SIMULATOR_WINDOW",
            "window",
            (c, v) -> c.withWindow(WindowKind.parse(v)),
            c -> c.window().text()),
    /** Base latency, milliseconds. */
    LATENCY_MS(
            "SIMULATOR_LATENCY_MS",
            "latency_ms",
            (c, v) -> c.withLatency(millis(v)),
            c -> c.latency().toMillis()),
    /** Random extra latency 0..jitter, milliseconds. */
    JITTER_MS(
            "SIMULATOR_JITTER_MS",
            "jitter_ms",
            (c, v) -> c.withJitter(millis(v)),
            c -> c.jitter().toMillis()),
    /** Share of admitted requests answered 500/502/503. */
    FAILURE_RATE(
            "SIMULATOR_FAILURE_RATE",
            "failure_rate",
            (c, v) -> c.withFaults(c.faults().withFailure(rate(v))),
            c -> c.faults().failure()),
    /** Share of admitted requests whose connection is dropped without a response. */
    RESET_RATE(
            "SIMULATOR_RESET_RATE",
            "reset_rate",
            (c, v) -> c.withFaults(c.faults().withReset(rate(v))),
            c -> c.faults().reset()),
    /** Share of admitted requests never answered. */
    HANG_RATE(
            "SIMULATOR_HANG_RATE",
            "hang_rate",
            (c, v) -> c.withFaults(c.faults().withHang(rate(v))),
            c -> c.faults().hang()),
    /** Share of admitted requests whose body is cut short. */
    TRUNCATE_RATE(
            "SIMULATOR_TRUNCATE_RATE",
            "truncate_rate",
            (c, v) -> c.withFaults(c.faults().withTruncate(rate(v))),
            c -> c.faults().truncate()),
    /** How long a hang lasts, milliseconds. */
    HANG_MS(
            "SIMULATOR_HANG_MS",
            "hang_ms",
            (c, v) -> c.withHang(millis(v)),
            c -> c.hang().toMillis()),
    /** Serve {@code /v1/embeddings}. */
    EMBEDDINGS("SIMULATOR_EMBEDDINGS", "embeddings", (c, v) -> c.withEmbeddings(bool(v)), SimulatorConfig::embeddings),
    /** Serve {@code /v1/completions}. */
    COMPLETIONS(
            "SIMULATOR_COMPLETIONS", "completions", (c, v) -> c.withCompletions(bool(v)), SimulatorConfig::completions),
    /** {@code broken} or {@code working}. */
    STREAMING(
            "SIMULATOR_STREAMING",
            "streaming",
            (c, v) -> c.withStreaming(StreamingMode.parse(v)),
            c -> c.streaming().text()),
    /** {@code Retry-After} and {@code x-ratelimit-*} headers. */
    RETRY_AFTER(
            "SIMULATOR_RETRY_AFTER", "retry_after", (c, v) -> c.withRetryAfter(bool(v)), SimulatorConfig::retryAfter),
    /** A second request window, as {@code limit}; {@code none} by default. */
    EXTRA_LIMIT(
            "SIMULATOR_EXTRA_LIMIT",
            "extra_limit",
            SimulatorConfig::withExtraLimit,
            c -> c.extraLimit().toString()),
    /** Tokens per {@code tpm_window}; {@code 0} or {@code none} for no token budget. */
    TPM("SIMULATOR_TPM", "tpm", (c, v) -> c.withTpm(tokens(v)), SimulatorConfig::tpm),
    /** The token budget's window: {@code 60s}, {@code 1m}, {@code 500ms}, {@code 1h}, {@code 1d}. */
    TPM_WINDOW(
            "SIMULATOR_TPM_WINDOW",
            "tpm_window",
            (c, v) -> c.withTpmWindow(Limit.parseLength(v)),
            c -> Limit.of(1, c.tpmWindow()).windowText()),
    /** Completion tokens charged for a request without {@code max_tokens}; 0 = the answer's length. */
    DEFAULT_MAX_TOKENS(
            "SIMULATOR_DEFAULT_MAX_TOKENS",
            "default_max_tokens",
            (c, v) -> c.withDefaultMaxTokens((int) Math.min(tokens(v), Integer.MAX_VALUE)),
            SimulatorConfig::defaultMaxTokens),
    /** Model ids, comma-separated, served in addition to the 58; empty or {@code none} for none. */
    EXTRA_MODELS(
            "SIMULATOR_EXTRA_MODELS",
            "extra_models",
            (c, v) -> c.withExtraModels(modelIds(v)),
            c -> String.join(",", c.extraModels()));

    final String env;
    final String json;
    private final BiFunction<SimulatorConfig, String, SimulatorConfig> apply;
    final Function<SimulatorConfig, Object> show;

    Setting(
            String env,
            String json,
            BiFunction<SimulatorConfig, String, SimulatorConfig> apply,
            Function<SimulatorConfig, Object> show) {
        this.env = env;
        this.json = json;
        this.apply = apply;
        this.show = show;
    }

    /** {@code config} with this setting parsed from {@code value}; errors name the setting as {@code label}. */
    SimulatorConfig apply(SimulatorConfig config, String value, String label) {
        try {
            return apply.apply(config, value == null ? "" : value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(label + ": " + e.getMessage(), e);
        }
    }

    static Setting byJsonName(String name) {
        for (Setting s : values()) {
            if (s.json.equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException(name + ": no such setting");
    }

    private static List<String> modelIds(String v) {
        if (v.equalsIgnoreCase("none")) {
            return List.of();
        }
        return Arrays.stream(v.split(","))
                .map(String::strip)
                .filter(id -> !id.isEmpty())
                .distinct()
                .toList();
    }

    private static Duration millis(String v) {
        long ms = Long.parseLong(v);
        if (ms < 0) {
            throw new IllegalArgumentException("must not be negative, got " + ms);
        }
        return Duration.ofMillis(ms);
    }

    private static long tokens(String v) {
        if (v.equalsIgnoreCase("none")) {
            return 0;
        }
        long n = Long.parseLong(v);
        if (n < 0) {
            throw new IllegalArgumentException("must not be negative, got " + n);
        }
        return n;
    }

    private static double rate(String v) {
        return Double.parseDouble(v);
    }

    private static boolean bool(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("expected true or false, got '" + v + "'");
        };
    }
}
