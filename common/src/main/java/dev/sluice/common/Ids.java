package dev.sluice.common;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Public identifiers: a type prefix and 24 random hex characters ({@code batch_5f1c...}), in the
 * style of OpenAI's ids. Random rather than sequential so that ids leak nothing about volume and
 * cannot be guessed across tenants.
 */
public final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private Ids() {}

    /** A new batch id, {@code batch_...}. */
    public static String batch() {
        return "batch_" + random(12);
    }

    /** A new job id, {@code job_...}. */
    public static String job() {
        return "job_" + random(12);
    }

    /** A new file id, {@code file-...} (OpenAI spells file ids with a dash). */
    public static String file() {
        return "file-" + random(12);
    }

    /** A new tenant id, {@code tenant_...}. */
    public static String tenant() {
        return "tenant_" + random(12);
    }

    /** A new API key id, {@code key_...} (the id, not the secret). */
    public static String apiKey() {
        return "key_" + random(12);
    }

    /** A new event id, {@code evt_...}. */
    public static String event() {
        return "evt_" + random(12);
    }

    /** {@code bytes} random bytes as lowercase hex. */
    public static String random(int bytes) {
        byte[] buffer = new byte[bytes];
        RANDOM.nextBytes(buffer);
        return HEX.formatHex(buffer);
    }
}
