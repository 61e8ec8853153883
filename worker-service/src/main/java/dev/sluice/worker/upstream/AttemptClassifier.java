package dev.sluice.worker.upstream;

import dev.sluice.common.Limit;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a provider's HTTP answer into an {@link Attempt}: 2xx with a JSON object → success; 429 → rate
 * limited (but a 429 saying the request is too large for any window → permanent); 408, 409 and 5xx, or a 2xx whose body is truncated or not JSON → transient; any other 4xx (and
 * the 1xx/3xx a provider should never send) → permanent. Pure: no I/O, no clock.
 */
final class AttemptClassifier {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private AttemptClassifier() {}

    static Attempt classify(int status, HttpHeaders headers, String body, Duration latency) {
        if (status >= 200 && status < 300) {
            JsonNode json = parseObject(body);
            if (json == null) {
                // A cut-off or garbled success is not a result: the job runs again rather than storing it.
                return Attempt.Transient.noAnswer(
                        Attempt.Transient.UPSTREAM_UNREACHABLE,
                        "the provider answered HTTP " + status + " with a body that is truncated or not JSON",
                        latency);
            }
            return new Attempt.Success(status, body, usage(json), latency);
        }
        if (status == 429 && RateLimitSignals.tooLarge(body)) {
            // Larger than the provider's whole token window: waiting cannot help, so it fails as a refusal.
            return new Attempt.Permanent(status, body, latency);
        }
        if (status == 429) {
            Optional<Limit.Unit> names = RateLimitSignals.names(body);
            return new Attempt.RateLimited(
                    RateLimitSignals.retryAfter(headers, body, names),
                    RateLimitSignals.learnedLimit(body),
                    names,
                    RateLimitSignals.stated(headers, Limit.Unit.REQUESTS),
                    RateLimitSignals.stated(headers, Limit.Unit.TOKENS),
                    body,
                    latency);
        }
        // 408 (request timeout) and 409 (OpenAI: "the resource is being updated") are the provider's own
        // way of saying "try again".
        if (status >= 500 || status == 408 || status == 409) {
            return Attempt.Transient.http(status, body, latency, RateLimitSignals.retryAfter(headers));
        }
        return new Attempt.Permanent(status, body, latency);
    }

    /** The {@code usage} counts of a chat, completion or embedding answer; absent counts stay null. */
    static TokenUsage usage(JsonNode answer) {
        JsonNode usage = answer.path("usage");
        if (!usage.isObject()) {
            return TokenUsage.NONE;
        }
        return new TokenUsage(
                count(usage, "prompt_tokens"), count(usage, "completion_tokens"), count(usage, "total_tokens"));
    }

    private static Integer count(JsonNode usage, String field) {
        JsonNode value = usage.path(field);
        return value.isIntegralNumber() && value.canConvertToInt() ? value.intValue() : null;
    }

    private static JsonNode parseObject(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode json = JSON.readTree(body);
            return json != null && json.isObject() ? json : null;
        } catch (JacksonException notJson) {
            return null;
        }
    }
}
