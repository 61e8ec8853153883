package dev.sluice.simulator;

import dev.sluice.simulator.faults.FaultRates;
import dev.sluice.simulator.limit.Limit;
import dev.sluice.simulator.limit.RateLimiter;
import dev.sluice.simulator.limit.TokenLimit;
import dev.sluice.simulator.limit.WindowKind;
import dev.sluice.simulator.openai.StreamingMode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the simulator's behaviour depends on. Each component is one setting, read from the environment
 * at start ({@link #fromEnvironment}) and changeable at run time through {@code PUT /__config} or
 * {@link Simulator#update}; {@link Setting} lists the names.
 *
 * @param port {@code SERVER_PORT} (3010): the HTTP port; 0 picks a free one. Fixed once started
 * @param limit {@code SIMULATOR_LIMIT} ({@code 15/60s}): requests per window per API key per model,
 *     {@code N/Ws} or {@code N/Wm}; {@code 0} or {@code none} for unlimited
 * @param window {@code SIMULATOR_WINDOW} ({@code sliding}): {@code sliding}, or {@code fixed} windows
 *     aligned to epoch multiples of W
 * @param latency {@code SIMULATOR_LATENCY_MS} (800): base time to answer an admitted request
 * @param jitter {@code SIMULATOR_JITTER_MS} (300): a uniform random 0..jitter added to the latency
 * @param faults {@code SIMULATOR_FAILURE_RATE}, {@code SIMULATOR_RESET_RATE}, {@code SIMULATOR_HANG_RATE},
 *     {@code SIMULATOR_TRUNCATE_RATE} (0.0 each): share of admitted requests meeting each fault
 * @param hang {@code SIMULATOR_HANG_MS} (600000): how long a hung request stays silent before its
 *     connection is dropped (a reset or close ends it sooner)
 * @param embeddings {@code SIMULATOR_EMBEDDINGS} ({@code false}): serve {@code /v1/embeddings}, else 404
 * @param completions {@code SIMULATOR_COMPLETIONS} ({@code false}): serve {@code /v1/completions}, else 404
 * @param streaming {@code SIMULATOR_STREAMING} ({@code broken}): {@code broken} or {@code working}
 * @param retryAfter {@code SIMULATOR_RETRY_AFTER} ({@code false}): send {@code Retry-After} on 429s and
 *     {@code x-ratelimit-*} headers on 200s and 429s
 * @param extraLimit {@code SIMULATOR_EXTRA_LIMIT} ({@code none}): a second request window per API key per
 *     model, e.g. {@code 1000/1d}, enforced together with {@code limit}
 * @param tpm {@code SIMULATOR_TPM} (0, none): tokens per {@code tpmWindow} per API key per model
 * @param tpmWindow {@code SIMULATOR_TPM_WINDOW} ({@code 60s}): the token budget's window
 * @param defaultMaxTokens {@code SIMULATOR_DEFAULT_MAX_TOKENS} (0): the completion tokens charged on arrival
 *     for a request without {@code max_tokens} / {@code max_completion_tokens}; 0 charges the length of the
 *     answer it will get, so the arrival charge is already exact
 * @param extraModels {@code SIMULATOR_EXTRA_MODELS} (none): model ids, comma-separated, listed at
 *     {@code GET /v1/models} and served after the seed provider's 58, as a provider that adds a model
 */
public record SimulatorConfig(
        int port,
        Limit limit,
        WindowKind window,
        Duration latency,
        Duration jitter,
        FaultRates faults,
        Duration hang,
        boolean embeddings,
        boolean completions,
        StreamingMode streaming,
        boolean retryAfter,
        Limit extraLimit,
        long tpm,
        Duration tpmWindow,
        int defaultMaxTokens,
        List<String> extraModels) {

    public SimulatorConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        }
        Objects.requireNonNull(limit, "limit");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(faults, "faults");
        Objects.requireNonNull(streaming, "streaming");
        requireNotNegative("latency", latency);
        requireNotNegative("jitter", jitter);
        requireNotNegative("hang", hang);
        Objects.requireNonNull(extraLimit, "extraLimit");
        if (tpm < 0) {
            throw new IllegalArgumentException("tpm must be >= 0, got " + tpm);
        }
        Objects.requireNonNull(tpmWindow, "tpmWindow");
        if (!tpmWindow.isPositive()) {
            throw new IllegalArgumentException("tpm window must be positive, got " + tpmWindow);
        }
        if (defaultMaxTokens < 0) {
            throw new IllegalArgumentException("default max tokens must be >= 0, got " + defaultMaxTokens);
        }
        extraModels = extraModels == null ? List.of() : List.copyOf(extraModels);
    }

    /** The seed provider, as upstream-simulator/README.md describes it, on port 3010. */
    public static SimulatorConfig defaults() {
        return new SimulatorConfig(
                3010,
                Limit.parse("15/60s"),
                WindowKind.SLIDING,
                Duration.ofMillis(800),
                Duration.ofMillis(300),
                FaultRates.NONE,
                Duration.ofMinutes(10),
                false,
                false,
                StreamingMode.BROKEN,
                false,
                Limit.unlimited(),
                0,
                Duration.ofSeconds(60),
                0,
                List.of());
    }

    /** The defaults on a free port with no latency: what most tests want. */
    public static SimulatorConfig forTests() {
        return defaults().withPort(0).withLatency(Duration.ZERO).withJitter(Duration.ZERO);
    }

    /** {@link #defaults()} overridden by whichever settings {@code env} holds (blank values are ignored). */
    public static SimulatorConfig fromEnvironment(Map<String, String> env) {
        SimulatorConfig config = defaults();
        for (Setting setting : Setting.values()) {
            String value = env.get(setting.env);
            if (value != null && !value.isBlank()) {
                config = setting.apply(config, value, setting.env);
            }
        }
        return config.requireValid();
    }

    /**
     * This config with {@code settings} applied, named as in {@code PUT /__config} ({@code limit},
     * {@code latency_ms}, ...; see {@link #settings()}). Partial: absent settings keep their value.
     *
     * @throws IllegalArgumentException naming the first unknown, read-only or invalid setting
     */
    public SimulatorConfig withSettings(Map<String, String> settings) {
        SimulatorConfig config = this;
        for (Map.Entry<String, String> e : settings.entrySet()) {
            Setting setting = Setting.byJsonName(e.getKey());
            if (setting == Setting.PORT) {
                throw new IllegalArgumentException("port: cannot change while running");
            }
            config = setting.apply(config, e.getValue(), e.getKey());
        }
        return config.requireValid();
    }

    /** Every setting by its {@code PUT /__config} name, as {@code GET /__config} shows them. */
    public Map<String, Object> settings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        for (Setting setting : Setting.values()) {
            settings.put(setting.json, setting.show.apply(this));
        }
        return settings;
    }

    /** Checks what single components cannot: the fault rates add up to at most 1. */
    public SimulatorConfig requireValid() {
        faults.requireValid();
        return this;
    }

    public SimulatorConfig withPort(int port) {
        return new SimulatorConfig(
                port,
                limit,
                window,
                latency,
                jitter,
                faults,
                hang,
                embeddings,
                completions,
                streaming,
                retryAfter,
                extraLimit,
                tpm,
                tpmWindow,
                defaultMaxTokens,
                extraModels);
    }

    public SimulatorConfig withLimit(Limit limit) {
        return new SimulatorConfig(
                port,
                limit,
                window,
                latency,
                jitter,
                faults,
                hang,
                embeddings,
                completions,
                streaming,
                retryAfter,
                extraLimit,
                tpm,
                tpmWindow,
                defaultMaxTokens,
                extraModels);
    }

    /** {@code limit} as {@link Limit#parse} reads it, e.g. {@code "15/2s"}. */
    public SimulatorConfig withLimit(String limit) {
        return withLimit(Limit.parse(limit));
    }

    public SimulatorConfig withWindow(WindowKind window) {
        return new SimulatorConfig(
                port,
                limit,
                window,
                latency,
                jitter,
                faults,
                hang,
                embeddings,
                completions,
                streaming,
                retryAfter,
                extraLimit,
                tpm,
                tpmWindow,
                defaultMaxTokens,
                extraModels);
    }

    public SimulatorConfig withLatency(Duration latency) {
        return new SimulatorConfig(
                port,
                limit,
                window,
                latency,
                jitter,
                faults,
                hang,
                embeddings,
                completions,
                streaming,
                retryAfter,
                extraLimit,
                tpm,
                tpmWindow,
                defaultMaxTokens,
                extraModels);
    }

    public SimulatorConfig withJitter(Duration jitter) {
        return new SimulatorConfig(
                port,
                limit,
                window,
                latency,
                jitter,
                faults,
                hang,
                embeddings,
                completions,
                streaming,
                retryAfter,
                extraLimit,
                tpm,
                tpmWindow,
                defaultMaxTokens,
                extraModels);
    }

    public SimulatorConfig withFaults(FaultRates faults) {
        return new SimulatorConfig(
                port,
                limit,
                window,
                latency,
                jitter,
                faults,
                hang,
                embeddings,
                completions,
                streaming,
                retryAfter,
                extraLimit,
                tpm,
                tpmWindow,
                defaultMaxTokens,
                extraModels);
    }

    public SimulatorConfig withHang(Duration hang) {
        return new SimulatorConfig(
                port,
                limit,
                window,
                latency,
                jitter,
                faults,
                hang,
                embeddings,
                completions,
                streaming,
                retryAfter,
                extraLimit,
                tpm,
                tpmWindow,
                defaultMaxTokens,
                extraModels);
    }

    public SimulatorConfig withEmbeddings(boolean embeddings) {
        return new SimulatorConfig(
                port,
                limit,
                window,
                latency,
                jitter,
                faults,
                hang,
                embeddings,
                completions,
                streaming,
                retryAfter,
                extraLimit,
                tpm,
                tpmWindow,
                defaultMaxTokens,
                extraModels);
    }

    public SimulatorConfig withCompletions(boolean completions) {
        return new SimulatorConfig(
                port,
                limit,
                window,
                latency,
                jitter,
                faults,
                hang,
                embeddings,
                completions,
                streaming,
                retryAfter,
                extraLimit,
                tpm,
                tpmWindow,
                defaultMaxTokens,
                extraModels);
    }

    public SimulatorConfig withStreaming(StreamingMode streaming) {
        return new SimulatorConfig(
                port,
                limit,
                window,
                latency,
                jitter,
                faults,
                hang,
                embeddings,
                completions,
                streaming,
                retryAfter,
                extraLimit,
                tpm,
                tpmWindow,
                defaultMaxTokens,
                extraModels);
    }

    public SimulatorConfig withRetryAfter(boolean retryAfter) {
        return new SimulatorConfig(
                port,
                limit,
                window,
                latency,
                jitter,
                faults,
                hang,
                embeddings,
                completions,
                streaming,
                retryAfter,
                extraLimit,
                tpm,
                tpmWindow,
                defaultMaxTokens,
                extraModels);
    }

    public SimulatorConfig withExtraLimit(Limit extraLimit) {
        return new SimulatorConfig(
                port,
                limit,
                window,
                latency,
                jitter,
                faults,
                hang,
                embeddings,
                completions,
                streaming,
                retryAfter,
                extraLimit,
                tpm,
                tpmWindow,
                defaultMaxTokens,
                extraModels);
    }

    /** {@code extraLimit} as {@link Limit#parse} reads it, e.g. {@code "1000/1d"}. */
    public SimulatorConfig withExtraLimit(String extraLimit) {
        return withExtraLimit(Limit.parse(extraLimit));
    }

    /** {@code tpm} tokens per {@link #tpmWindow()}; 0 for none. */
    public SimulatorConfig withTpm(long tpm) {
        return new SimulatorConfig(
                port,
                limit,
                window,
                latency,
                jitter,
                faults,
                hang,
                embeddings,
                completions,
                streaming,
                retryAfter,
                extraLimit,
                tpm,
                tpmWindow,
                defaultMaxTokens,
                extraModels);
    }

    public SimulatorConfig withTpmWindow(Duration tpmWindow) {
        return new SimulatorConfig(
                port,
                limit,
                window,
                latency,
                jitter,
                faults,
                hang,
                embeddings,
                completions,
                streaming,
                retryAfter,
                extraLimit,
                tpm,
                tpmWindow,
                defaultMaxTokens,
                extraModels);
    }

    public SimulatorConfig withDefaultMaxTokens(int defaultMaxTokens) {
        return new SimulatorConfig(
                port,
                limit,
                window,
                latency,
                jitter,
                faults,
                hang,
                embeddings,
                completions,
                streaming,
                retryAfter,
                extraLimit,
                tpm,
                tpmWindow,
                defaultMaxTokens,
                extraModels);
    }

    /** {@code extraModels}: listed and served in addition to the seed provider's 58. */
    public SimulatorConfig withExtraModels(List<String> extraModels) {
        return new SimulatorConfig(
                port,
                limit,
                window,
                latency,
                jitter,
                faults,
                hang,
                embeddings,
                completions,
                streaming,
                retryAfter,
                extraLimit,
                tpm,
                tpmWindow,
                defaultMaxTokens,
                extraModels);
    }

    /** The token budget, {@code tpm} per {@code tpmWindow}. */
    public TokenLimit tokenLimit() {
        return new TokenLimit(tpm, tpmWindow);
    }

    /** Every window the limiter enforces. */
    public RateLimiter.Policy limits() {
        return new RateLimiter.Policy(limit, extraLimit, tokenLimit(), window);
    }

    private static void requireNotNegative(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + d);
        }
    }
}
