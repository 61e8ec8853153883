package dev.sluice.api.web;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A streaming reader over one JSON request body that turns every surprise into a 400 naming the
 * offending parameter. Streaming rather than a tree keeps a 100 MB batch at roughly its own size
 * in memory, and byte offsets let a nested object be stored exactly as the client sent it.
 */
public final class JsonInput implements AutoCloseable {

    /** Deeper than any request body needs; a deeper one is refused before it can cost stack or memory. */
    public static final int MAX_NESTING_DEPTH = 64;

    /** The longest single string accepted (a prompt of ~10 M characters); longer ones are refused. */
    public static final int MAX_STRING_LENGTH = 10_000_000;

    /**
     * Trailing tokens are fine when a tree is read from the middle of the body; {@link #end} checks the end.
     * The read limits turn a hostile body into a 400 at once rather than a parser working through it.
     */
    private static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING_DEPTH)
                            .maxStringLength(MAX_STRING_LENGTH)
                            .build())
                    .build())
            .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final byte[] bytes;
    private final JsonParser parser;

    private JsonInput(byte[] bytes) {
        this.bytes = bytes;
        this.parser = JSON.createParser(bytes);
    }

    /** Starts reading {@code bytes}, which must hold one JSON object; positions on its start. */
    public static JsonInput objectOf(byte[] bytes) {
        JsonInput input = new JsonInput(bytes);
        if (input.next() != JsonToken.START_OBJECT) {
            throw ApiException.invalid(null, "invalid_json", "The request body must be a JSON object.");
        }
        return input;
    }

    /**
     * Moves to the next field of the current object and onto its value; null at the object's end.
     * A name seen twice is refused, since which one counts would otherwise be a guess.
     */
    public String nextField(Set<String> seen, String objectParam) {
        JsonToken token = next();
        if (token == JsonToken.END_OBJECT) {
            return null;
        }
        String name = parser.currentName();
        if (!seen.add(name)) {
            throw ApiException.invalid(
                    join(objectParam, name),
                    "duplicate_parameter",
                    "Parameter '" + join(objectParam, name) + "' is given more than once.");
        }
        next();
        return name;
    }

    /** The name of the field whose name or value is the current token. */
    public String name() {
        return parser.currentName();
    }

    /** The current token. */
    public JsonToken token() {
        return parser.currentToken();
    }

    /** Advances to the next token, turning malformed JSON into a 400. */
    public JsonToken next() {
        try {
            return parser.nextToken();
        } catch (JacksonException e) {
            throw malformed(e);
        }
    }

    /** Skips the current value, including everything nested in it. */
    public void skipValue() {
        try {
            parser.skipChildren();
        } catch (JacksonException e) {
            throw malformed(e);
        }
    }

    /** The current value as a string, or null for JSON null; anything else is a 400 for {@code param}. */
    public String stringOrNull(String param) {
        return switch (token()) {
            case VALUE_NULL -> null;
            case VALUE_STRING -> text(param, currentString());
            default -> throw wrongType(param, "a string");
        };
    }

    /** The current value as an int, or null for JSON null; fractions, strings and overflows are a 400. */
    public Integer integerOrNull(String param) {
        return switch (token()) {
            case VALUE_NULL -> null;
            case VALUE_NUMBER_INT -> {
                if (parser.getNumberType() != JsonParser.NumberType.INT) {
                    throw wrongType(param, "a small integer");
                }
                yield parser.getIntValue();
            }
            default -> throw wrongType(param, "an integer");
        };
    }

    /**
     * The current value as an exact decimal ({@code 60}, {@code 1.5}, {@code 2e-3}), or null for JSON
     * null; strings and other types are a 400 for {@code param}. No binary rounding happens on the way.
     */
    public BigDecimal decimalOrNull(String param) {
        return switch (token()) {
            case VALUE_NULL -> null;
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                try {
                    yield parser.getDecimalValue();
                } catch (JacksonException e) {
                    throw malformed(e);
                } catch (NumberFormatException e) {
                    // An exponent beyond BigDecimal's range, such as 1e9999999999.
                    throw wrongType(param, "a number of reasonable size");
                }
            }
            default -> throw wrongType(param, "a number");
        };
    }

    /** The current value (object, array or scalar) as a tree, for small values such as metadata. */
    public JsonNode tree() {
        try {
            return JSON.readTree(parser);
        } catch (JacksonException e) {
            throw malformed(e);
        }
    }

    /** Byte offset at which the current token starts in the body. */
    public long tokenStart() {
        return parser.currentTokenLocation().getByteOffset();
    }

    /** The body's bytes from {@code start} to just after the current token (a closing brace), as text. */
    public String textFrom(long start) {
        long end = tokenStart() + 1;
        return new String(bytes, (int) start, (int) (end - start), StandardCharsets.UTF_8);
    }

    /** Requires that nothing but whitespace follows the object just read. */
    public void end() {
        if (next() != null) {
            throw ApiException.invalid(null, "invalid_json", "The request body must hold exactly one JSON object.");
        }
    }

    /** A 400 saying that {@code param} should have been {@code expected} ("a string", "an object"). */
    public ApiException wrongType(String param, String expected) {
        return ApiException.invalid(param, "invalid_type", "Parameter '" + param + "' must be " + expected + ".");
    }

    /** Refuses text PostgreSQL cannot store (U+0000), so that it is a 400 and never a failed insert. */
    public static String text(String param, String value) {
        if (value != null && value.indexOf('\u0000') >= 0) {
            throw ApiException.invalid(
                    param, "invalid_value", "Parameter '" + param + "' must not contain the NUL character (\\u0000).");
        }
        return value;
    }

    /** {@code requests[3]} + {@code body} = {@code requests[3].body}. */
    public static String join(String parent, String child) {
        return parent == null ? child : parent + "." + child;
    }

    private String currentString() {
        try {
            return parser.getString();
        } catch (JacksonException e) {
            throw malformed(e);
        }
    }

    private static ApiException malformed(JacksonException e) {
        TokenStreamLocation at = e.getLocation();
        String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
        return ApiException.invalid(
                null,
                "invalid_json",
                "We could not parse the JSON body of your request" + where + ": " + e.getOriginalMessage());
    }

    @Override
    public void close() {
        parser.close();
    }
}
