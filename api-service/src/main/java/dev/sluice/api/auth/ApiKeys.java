package dev.sluice.api.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The secrets Sluice hands out: tenant API keys ({@code sk-sluice-} + 32 random bytes, base64url)
 * and Standard Webhooks signing secrets ({@code whsec_} + base64 of 32 random bytes). Keys are
 * stored only as their SHA-256: with 256 random bits a fast unsalted hash cannot be reversed, and
 * authentication stays one indexed lookup.
 */
public final class ApiKeys {

    /** What every tenant key starts with, so that leaked keys are easy to recognise and scan for. */
    public static final String KEY_PREFIX = "sk-sluice-";

    /** How much of a key listings show: the prefix and four more characters. */
    private static final int DISPLAY_LENGTH = KEY_PREFIX.length() + 4;

    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeys() {}

    /** A new random tenant key. */
    public static String newKey() {
        return KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32));
    }

    /** A new Standard Webhooks secret. */
    public static String newWebhookSecret() {
        return "whsec_" + Base64.getEncoder().encodeToString(randomBytes(32));
    }

    /** The SHA-256 of a key, as stored and looked up. */
    public static byte[] hash(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM provides SHA-256", e);
        }
    }

    /** The recognisable start of a key, the only part a listing shows. */
    public static String displayPrefix(String key) {
        return key.substring(0, Math.min(DISPLAY_LENGTH, key.length()));
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
