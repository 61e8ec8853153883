package dev.sluice.simulator.openai;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.simulator.faults.Fault;
import dev.sluice.simulator.faults.FaultInjector;
import dev.sluice.simulator.http.ConnectionDrop;
import dev.sluice.simulator.http.Exchanges;
import dev.sluice.simulator.http.Json;
import dev.sluice.simulator.http.OpenAiError;
import dev.sluice.simulator.limit.Admission;
import dev.sluice.simulator.limit.RateLimiter;
import dev.sluice.simulator.stats.ErrorKind;
import dev.sluice.simulator.stats.RequestTracker;
import dev.sluice.simulator.stats.StatsRecorder;
import java.io.IOException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/**
 * The {@code /v1} API. Order of checks: route (404) → method (405) → bearer key (401) → body and model
 * (400) → limiter (429) → fault, latency, answer. Only a request that reaches the limiter can use budget.
 *
 * <p>Tokens are charged OpenAI's way: on arrival the prompt tokens (the {@code usage.prompt_tokens} the
 * answer will report) plus {@code max_completion_tokens} / {@code max_tokens} (or
 * {@code SIMULATOR_DEFAULT_MAX_TOKENS}; input only for embeddings); when a 200 is sent the charge becomes the
 * usage it reports. A request that fails (a fault, a broken stream) keeps its arrival charge.
 */
public final class ProviderHandler implements HttpHandler {

    private final Supplier<SimulatorConfig> config;
    private final RateLimiter limiter;
    private final StatsRecorder stats;
    private final FaultInjector faults;
    private final InstantSource clock;

    /** Reads {@code config} once per request, so a run-time change applies from the next request on. */
    public ProviderHandler(
            Supplier<SimulatorConfig> config,
            RateLimiter limiter,
            StatsRecorder stats,
            FaultInjector faults,
            InstantSource clock) {
        this.config = config;
        this.limiter = limiter;
        this.stats = stats;
        this.faults = faults;
        this.clock = clock;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        // Arrival is now, not once the body has been read and parsed (see RateLimiter#admit).
        Instant arrived = clock.instant();
        SimulatorConfig cfg = config.get();
        String path = exchange.getRequestURI().getPath();
        Endpoint endpoint = Endpoint.match(path);
        if (endpoint == null || !endpoint.enabled(cfg)) {
            stats.notFound();
            Exchanges.error(
                    exchange,
                    404,
                    OpenAiError.invalidRequest("Invalid URL (" + Exchanges.describe(exchange) + ")", null, null));
            return;
        }
        if (!endpoint.method.equalsIgnoreCase(exchange.getRequestMethod())) {
            stats.invalidRequest();
            exchange.getResponseHeaders().set("Allow", endpoint.method);
            Exchanges.error(
                    exchange,
                    405,
                    OpenAiError.invalidRequest(
                            "Not allowed to " + Exchanges.describe(exchange) + ". (HINT: use " + endpoint.method + ")",
                            null,
                            "method_not_allowed"));
            return;
        }
        Optional<String> apiKey = Exchanges.bearerToken(exchange);
        if (apiKey.isEmpty()) {
            stats.unauthorized();
            Exchanges.error(
                    exchange,
                    401,
                    OpenAiError.invalidRequest(
                            "You didn't provide an API key. You need to provide your API key in an Authorization header "
                                    + "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                            null,
                            "invalid_api_key"));
            return;
        }
        try {
            switch (endpoint) {
                case MODELS -> Exchanges.json(exchange, 200, Models.list(cfg.extraModels()));
                case MODEL -> {
                    String id = path.substring(Endpoint.MODEL.path.length());
                    Exchanges.json(
                            exchange,
                            200,
                            Models.find(id, cfg.extraModels()).orElseThrow(() -> InvalidRequest.unknownModel(id, 404)));
                }
                default -> complete(exchange, endpoint, apiKey.get(), cfg, arrived);
            }
        } catch (InvalidRequest e) {
            stats.invalidRequest();
            Exchanges.error(exchange, e.status(), e.error());
        }
    }

    private void complete(HttpExchange exchange, Endpoint endpoint, String apiKey, SimulatorConfig cfg, Instant arrived)
            throws IOException {
        JsonNode body = Requests.parse(Exchanges.readBody(exchange));
        long created = clock.instant().getEpochSecond();
        Call call = switch (endpoint) {
            case CHAT -> ChatCompletions.call(body, created, cfg.extraModels());
            case COMPLETIONS -> TextCompletions.call(body, created, cfg.extraModels());
            case EMBEDDINGS -> Embeddings.call(body, cfg.extraModels());
            default -> throw new IllegalStateException("not a completion endpoint: " + endpoint);
        };
        try (RequestTracker tracker = stats.begin(apiKey, call.model())) {
            Admission admission =
                    limiter.admit(apiKey, call.model(), arrived, call.tokens().requested(cfg.defaultMaxTokens()));
            Map<String, String> headers = cfg.retryAfter() ? RateLimitHeaders.of(admission) : Map.of();
            if (admission instanceof Admission.Rejected rejected) {
                tracker.rateLimited(rejected.refusal());
                Exchanges.json(exchange, 429, headers, RateLimitErrors.of(rejected, call.model()));
                return;
            }
            tracker.accepted(admission);
            answer(exchange, cfg, call, admission, headers, tracker);
        }
    }

    private void answer(
            HttpExchange exchange,
            SimulatorConfig cfg,
            Call call,
            Admission admission,
            Map<String, String> headers,
            RequestTracker tracker)
            throws IOException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Fault fault = cfg.faults().pick(random.nextDouble());
        if (fault != Fault.NONE) {
            // A failed request keeps its arrival charge; a hang's is final now, as it may outlive the test.
            tracker.charged(admission);
        }
        if (fault == Fault.HANG) {
            // Counted now, not when it ends: a hang may outlive the test that caused it.
            tracker.hanging(ErrorKind.HANG);
            faults.hang(cfg.hang());
        }
        sleep(cfg.latency().toMillis()
                + (cfg.jitter().isZero() ? 0 : random.nextLong(cfg.jitter().toMillis() + 1)));
        switch (fault) {
            case SERVER_ERROR -> {
                tracker.failed(ErrorKind.SERVER_ERROR);
                faults.serverError(exchange, random);
            }
            case RESET -> {
                tracker.failed(ErrorKind.RESET);
                faults.reset();
            }
            case TRUNCATE -> {
                tracker.failed(ErrorKind.TRUNCATED);
                faults.truncate(exchange, headers, Json.MAPPER.writeValueAsBytes(call.response()));
            }
            case NONE, HANG -> {
                if (!call.streamed()) {
                    settle(admission, call, tracker);
                    tracker.answered();
                    Exchanges.json(exchange, 200, headers, call.response());
                } else if (cfg.streaming() == StreamingMode.WORKING) {
                    settle(admission, call, tracker);
                    tracker.answered();
                    Streams.working(exchange, headers, call.chunks());
                } else {
                    tracker.charged(admission);
                    tracker.failed(ErrorKind.BROKEN_STREAM);
                    Streams.broken(exchange, headers, call.chunks().getFirst());
                }
            }
        }
    }

    /** An answer about to be sent: its charge becomes the usage it reports, a refund or an extra charge. */
    private void settle(Admission admission, Call call, RequestTracker tracker) {
        long used = call.tokens().used();
        limiter.settle(admission, used);
        tracker.used(used);
        tracker.charged(admission);
    }

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            // Only on close: the answer no longer matters.
            Thread.currentThread().interrupt();
            throw new ConnectionDrop("simulator closing");
        }
    }
}
