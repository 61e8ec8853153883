package dev.sluice.worker.upstream;

import dev.sluice.common.Limit;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
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
            TokenUsage usage = usageOfObject(body);
            if (usage == null) {
                // A cut-off or garbled success is not a result: the job runs again rather than storing it.
                return Attempt.Transient.noAnswer(
                        Attempt.Transient.UPSTREAM_UNREACHABLE,
                        "the provider answered HTTP " + status + " with a body that is truncated or not JSON",
                        latency);
            }
            return new Attempt.Success(status, body, usage, latency);
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

    /**
     * The {@code usage} counts of a chat, completion or embedding answer (absent counts stay null), or null when the
     * body is not one whole JSON object (cut off, garbled, followed by more). Every answer passes here, so it is read
     * in one pass of a streaming parser, skipping everything but {@code usage}, rather than built into a tree.
     */
    private static TokenUsage usageOfObject(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            TokenUsage usage = TokenUsage.NONE;
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("usage".equals(name)) {
                    usage = value == JsonToken.START_OBJECT ? counts(parser) : TokenUsage.NONE;
                } else {
                    parser.skipChildren();
                }
            }
            return parser.currentToken() == JsonToken.END_OBJECT && parser.nextToken() == null ? usage : null;
        } catch (JacksonException notJson) {
            return null;
        }
    }

    /** The counts of the {@code usage} object the parser is at the start of; a count that is not an int is null. */
    private static TokenUsage counts(JsonParser parser) {
        Integer prompt = null;
        Integer completion = null;
        Integer total = null;
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            Integer count = value == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() == JsonParser.NumberType.INT
                    ? parser.getIntValue()
                    : null;
            parser.skipChildren();
            switch (name) {
                case "prompt_tokens" -> prompt = count;
                case "completion_tokens" -> completion = count;
                case "total_tokens" -> total = count;
                default -> {}
            }
        }
        return new TokenUsage(prompt, completion, total);
    }
}
