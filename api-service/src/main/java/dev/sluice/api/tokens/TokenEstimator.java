package dev.sluice.api.tokens;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import dev.sluice.common.TokenEstimate;
import java.util.List;
import java.util.Locale;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Estimates what a request will cost against a token limit, from its body alone, when it is submitted (docs/pacing.md,
 * "Token budgets"):
 *
 * <ul>
 *   <li><b>prompt</b>: counted by OpenAI's own tokenizer for OpenAI-family models ({@code o200k_base} for gpt-4o,
 *       gpt-4.1, gpt-5 and the o-series; {@code cl100k_base} for gpt-4, gpt-3.5 and the embeddings), a chat the way
 *       OpenAI's cookbook counts it (3 tokens per message, 1 per name, 3 to prime the answer); for other models one
 *       token per 4 characters, which the workers correct per model from the {@code usage.prompt_tokens} the
 *       provider reports;
 *   <li><b>answer</b>: {@code max_completion_tokens}, else {@code max_tokens}, times {@code n} when several answers
 *       are asked for; none for embeddings (0); absent otherwise, so the model's default applies when the pacer
 *       reserves it.
 * </ul>
 *
 * Pure and thread-safe; the encodings are loaded once, at start ({@link TokenizerWarmup}) or when first used.
 */
public final class TokenEstimator {

    private static final EncodingRegistry ENCODINGS = Encodings.newLazyEncodingRegistry();
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** Tokens OpenAI adds per chat message, per {@code name}, and to prime the answer. */
    static final int PER_MESSAGE = 3;

    static final int PER_NAME = 1;
    static final int PRIMING = 3;
    /** Characters per token where no tokenizer fits the model. */
    static final int CHARS_PER_TOKEN = 4;

    private TokenEstimator() {}

    /** The estimate for a request to {@code model} with this body (a JSON object, as validated at submission). */
    public static TokenEstimate estimate(String model, String body) {
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (JacksonException notJson) {
            return new TokenEstimate(fallback(body), null);
        }
        Encoding encoding = encodingFor(model);
        if (json.has("messages")) {
            return new TokenEstimate(chat(json.get("messages"), encoding), maxOutput(json));
        }
        if (json.has("input")) {
            return new TokenEstimate(texts(json.get("input"), encoding), 0);
        }
        if (json.has("prompt")) {
            return new TokenEstimate(texts(json.get("prompt"), encoding), maxOutput(json));
        }
        return new TokenEstimate(count(body, encoding), maxOutput(json));
    }

    /**
     * Loads the tokenizers {@link #encodingFor} hands out (o200k_base, then cl100k_base) and returns them: each loads
     * its ranks on first use, 0.1-0.4 s on these machines, which the first request for one of its models would
     * otherwise wait for ({@link TokenizerWarmup} calls this at start).
     */
    static List<Encoding> preload() {
        return List.of(ENCODINGS.getEncoding(EncodingType.O200K_BASE), ENCODINGS.getEncoding(EncodingType.CL100K_BASE));
    }

    /**
     * OpenAI's tokenizer for {@code model} (a provider prefix such as {@code openai/} is ignored), or null when none
     * fits it.
     */
    static Encoding encodingFor(String model) {
        String name = model.toLowerCase(Locale.ROOT);
        if (name.startsWith("openai/")) {
            name = name.substring("openai/".length());
        } else if (name.contains("/")) {
            return null;
        }
        if (name.startsWith("gpt-4o")
                || name.startsWith("gpt-4.1")
                || name.startsWith("gpt-4.5")
                || name.startsWith("gpt-5")
                || name.startsWith("chatgpt-4o")
                || name.matches("o[1-9].*")) {
            return ENCODINGS.getEncoding(EncodingType.O200K_BASE);
        }
        if (name.startsWith("gpt-4") || name.startsWith("gpt-3.5") || name.startsWith("text-embedding-")) {
            return ENCODINGS.getEncoding(EncodingType.CL100K_BASE);
        }
        return null;
    }

    private static int chat(JsonNode messages, Encoding encoding) {
        if (!messages.isArray()) {
            return count(messages.toString(), encoding);
        }
        long tokens = PRIMING;
        for (JsonNode message : messages) {
            tokens += PER_MESSAGE;
            if (!message.isObject()) {
                tokens += count(message.toString(), encoding);
                continue;
            }
            for (var field : message.properties()) {
                JsonNode value = field.getValue();
                tokens += switch (field.getKey()) {
                    case "content" -> content(value, encoding);
                    case "name" -> PER_NAME + count(value.asString(""), encoding);
                    default ->
                        value.isString() ? count(value.stringValue(), encoding) : count(value.toString(), encoding);
                };
            }
        }
        return clamp(tokens);
    }

    /** A message's content: a string, or an array of parts whose text parts count (others by their JSON). */
    private static long content(JsonNode content, Encoding encoding) {
        if (content.isString()) {
            return count(content.stringValue(), encoding);
        }
        if (content.isArray()) {
            long tokens = 0;
            for (JsonNode part : content) {
                JsonNode text = part.get("text");
                tokens += text != null && text.isString()
                        ? count(text.stringValue(), encoding)
                        : count(part.toString(), encoding);
            }
            return tokens;
        }
        return content.isNull() ? 0 : count(content.toString(), encoding);
    }

    /** An embedding's {@code input} or a completion's {@code prompt}: a string, strings, or token arrays. */
    private static int texts(JsonNode value, Encoding encoding) {
        if (value.isString()) {
            return count(value.stringValue(), encoding);
        }
        if (value.isArray()) {
            long tokens = 0;
            for (JsonNode item : value) {
                if (item.isString()) {
                    tokens += count(item.stringValue(), encoding);
                } else if (item.isNumber()) {
                    tokens += 1; // one token id of a token array
                } else if (item.isArray()) {
                    tokens += item.size(); // a token array among several
                } else {
                    tokens += count(item.toString(), encoding);
                }
            }
            return clamp(tokens);
        }
        return count(value.toString(), encoding);
    }

    /**
     * {@code max_completion_tokens}, else {@code max_tokens}, when a non-negative whole number — times {@code n} when
     * several answers are asked for, since each may use the maximum (whether a provider charges it so was not
     * checked; reserving it can only wait longer); else null.
     */
    private static Integer maxOutput(JsonNode body) {
        JsonNode n = body.get("n");
        long answers = n != null && n.isIntegralNumber() && n.canConvertToInt() && n.intValue() > 1 ? n.intValue() : 1;
        for (String field : new String[] {"max_completion_tokens", "max_tokens"}) {
            JsonNode value = body.get(field);
            if (value != null && value.isIntegralNumber() && value.canConvertToInt() && value.intValue() >= 0) {
                return (int) Math.min(answers * value.intValue(), Integer.MAX_VALUE);
            }
        }
        return null;
    }

    private static int count(String text, Encoding encoding) {
        return encoding == null ? fallback(text) : encoding.countTokensOrdinary(text);
    }

    private static int fallback(String text) {
        return Math.ceilDiv(text.length(), CHARS_PER_TOKEN);
    }

    private static int clamp(long tokens) {
        return (int) Math.min(tokens, Integer.MAX_VALUE);
    }
}
