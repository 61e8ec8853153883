package dev.sluice.worker.pacing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One upstream API key and the fingerprint that names its budgets in the database and in logs.
 *
 * @param fingerprint {@code key-} and the first 12 hex digits of the key's SHA-256: stable, not the key
 * @param apiKey      the key itself, sent to the provider and nowhere else
 */
public record Credential(String fingerprint, String apiKey) {

    /** The credential for {@code apiKey}. */
    public static Credential of(String apiKey) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(apiKey.getBytes(StandardCharsets.UTF_8));
            return new Credential("key-" + HexFormat.of().formatHex(hash).substring(0, 12), apiKey);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public String toString() {
        // Never the key, whatever logs this record.
        return fingerprint;
    }
}
