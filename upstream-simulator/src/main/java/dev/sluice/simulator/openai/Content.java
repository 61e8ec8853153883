package dev.sluice.simulator.openai;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;
import tools.jackson.databind.JsonNode;

/**
 * The deterministic content rules, public so tests elsewhere can compute the expected answer:
 * <ul>
 *   <li>chat: {@code "echo: " + } the text of the last {@code user} message (the last message if none is
 *       from the user); text of an array content = its {@code text} parts joined by a space;</li>
 *   <li>completion: {@code "echo: " + prompt}, one choice per prompt;</li>
 *   <li>either cut after {@code max_completion_tokens} / {@code max_tokens} words, with
 *       {@code finish_reason: "length"} ({@link #reply(String, Integer)});</li>
 *   <li>tokens: {@link #words}, the number of whitespace-separated words;</li>
 *   <li>embedding: {@link #embedding}, a unit vector seeded by the text's SHA-256.</li>
 * </ul>
 */
public final class Content {

    private static final String ECHO = "echo: ";

    private Content() {}

    /** The reply to {@code text}: {@code "echo: " + text}. */
    public static String reply(String text) {
        return ECHO + text;
    }

    /**
     * The answer to {@code text} when at most {@code maxTokens} completion tokens are allowed (null: no cap):
     * {@link #reply} cut after its first {@code maxTokens} words, as a provider stops at {@code max_tokens}.
     */
    public static String reply(String text, Integer maxTokens) {
        String reply = reply(text);
        if (maxTokens == null || words(reply) <= maxTokens) {
            return reply;
        }
        int count = 0;
        for (int i = 0; i < reply.length(); i++) {
            boolean endOfWord = !Character.isWhitespace(reply.charAt(i))
                    && (i + 1 == reply.length() || Character.isWhitespace(reply.charAt(i + 1)));
            if (endOfWord && ++count == maxTokens) {
                return reply.substring(0, i + 1);
            }
        }
        return reply;
    }

    /** {@code "length"} when {@code maxTokens} cut the answer to {@code text} short, else {@code "stop"}. */
    static String finishReason(String text, Integer maxTokens) {
        return maxTokens != null && words(reply(text)) > maxTokens ? "length" : "stop";
    }

    /** Token count: whitespace-separated words, so {@code "echo: hi there"} is 3 and {@code ""} is 0. */
    public static int words(String text) {
        int count = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); i++) {
            boolean space = Character.isWhitespace(text.charAt(i));
            if (!space && !inWord) {
                count++;
            }
            inWord = !space;
        }
        return count;
    }

    /**
     * A unit-length vector of {@code dimensions} floats for {@code text}: a {@link SplittableRandom} seeded
     * with the first 8 bytes (big-endian) of SHA-256(UTF-8 text) draws {@code nextDouble() * 2 - 1} per
     * component, then the vector is divided by its L2 norm. Same text, same vector.
     */
    public static float[] embedding(String text, int dimensions) {
        SplittableRandom random =
                new SplittableRandom(ByteBuffer.wrap(sha256(text)).getLong());
        double[] raw = new double[dimensions];
        double norm = 0;
        for (int i = 0; i < dimensions; i++) {
            raw[i] = random.nextDouble() * 2 - 1;
            norm += raw[i] * raw[i];
        }
        norm = Math.sqrt(norm);
        float[] vector = new float[dimensions];
        for (int i = 0; i < dimensions; i++) {
            vector[i] = (float) (raw[i] / norm);
        }
        return vector;
    }

    /** The text of a message's {@code content}: a string, or the {@code text} of each part of an array. */
    static String text(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isString()) {
            return content.stringValue();
        }
        StringBuilder joined = new StringBuilder();
        for (JsonNode part : content) {
            JsonNode text = part.get("text");
            if (text != null && text.isString()) {
                if (!joined.isEmpty()) {
                    joined.append(' ');
                }
                joined.append(text.stringValue());
            }
        }
        return joined.toString();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
