package dev.sluice.common;

import java.util.HashMap;
import java.util.Map;

/**
 * Reads one JSON object (RFC 8259) and keeps its top-level strings and numbers; nested objects and arrays are
 * checked and skipped. Enough for {@link JobMessageCodec}, which must not pull a JSON library into
 * {@code common}. Any malformed input throws {@link IllegalArgumentException}.
 */
final class JsonObjectReader {

    /** The object's top-level fields: a {@link String}, a {@link Long} or {@link Double}, or null for any other value. */
    record Fields(Map<String, Object> values) {
        Object get(String name) {
            return values.get(name);
        }
    }

    /** Nesting deeper than this is refused rather than recursed into. */
    private static final int MAX_DEPTH = 64;

    private final String text;
    private int at;
    private int depth;

    JsonObjectReader(String text) {
        this.text = text;
    }

    Fields readObject() {
        Map<String, Object> fields = new HashMap<>();
        space();
        object(fields);
        space();
        if (at != text.length()) {
            throw malformed();
        }
        return new Fields(fields);
    }

    /** Reads an object from its opening brace, keeping its top-level values in {@code into} unless null. */
    private void object(Map<String, Object> into) {
        expect('{');
        depth++;
        space();
        if (!consume('}')) {
            do {
                space();
                String name = string();
                space();
                expect(':');
                Object value = value(into != null);
                if (into != null) {
                    into.put(name, value);
                }
                space();
            } while (consume(','));
            expect('}');
        }
        depth--;
    }

    /** Reads any value; returns it when {@code keep} and it is a string or a number, null otherwise. */
    private Object value(boolean keep) {
        space();
        if (depth > MAX_DEPTH) {
            throw malformed();
        }
        char c = peek();
        switch (c) {
            case '"' -> {
                return string();
            }
            case '{' -> object(null);
            case '[' -> {
                at++;
                depth++;
                space();
                if (!consume(']')) {
                    do {
                        value(false);
                        space();
                    } while (consume(','));
                    expect(']');
                }
                depth--;
                return null;
            }
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> {
                Number number = number();
                return keep ? number : null;
            }
        }
        return null;
    }

    private String string() {
        expect('"');
        StringBuilder out = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                throw malformed();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char escaped = next();
            switch (escaped) {
                case '"', '\\', '/' -> out.append(escaped);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (at + 4 > text.length()) {
                        throw malformed();
                    }
                    try {
                        out.append((char) Integer.parseInt(text, at, at + 4, 16));
                    } catch (NumberFormatException e) {
                        throw malformed();
                    }
                    at += 4;
                }
                default -> throw malformed();
            }
        }
    }

    private Number number() {
        int start = at;
        consume('-');
        if (!digits()) {
            throw malformed();
        }
        boolean integral = true;
        if (consume('.')) {
            integral = false;
            if (!digits()) {
                throw malformed();
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            at++;
            integral = false;
            if (!consume('+')) {
                consume('-');
            }
            if (!digits()) {
                throw malformed();
            }
        }
        String literal = text.substring(start, at);
        if (integral) {
            try {
                return Long.parseLong(literal);
            } catch (NumberFormatException tooLong) {
                return literal.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
            }
        }
        return Double.parseDouble(literal);
    }

    private boolean digits() {
        int start = at;
        while (at < text.length() && Character.isDigit(text.charAt(at)) && text.charAt(at) < 0x80) {
            at++;
        }
        return at > start;
    }

    private void literal(String word) {
        if (!text.startsWith(word, at)) {
            throw malformed();
        }
        at += word.length();
    }

    private void space() {
        while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
    }

    private boolean consume(char c) {
        if (at < text.length() && text.charAt(at) == c) {
            at++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!consume(c)) {
            throw malformed();
        }
    }

    private char peek() {
        return at < text.length() ? text.charAt(at) : '\0';
    }

    private char next() {
        if (at >= text.length()) {
            throw malformed();
        }
        return text.charAt(at++);
    }

    private IllegalArgumentException malformed() {
        return new IllegalArgumentException("not a JSON object (at character " + at + ")");
    }
}
