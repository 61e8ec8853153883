package dev.sluice.common.secret;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts a tenant's secrets at rest (its {@code whsec_} webhook secret): AES-256-GCM with a random 96-bit nonce
 * per value, stored as {@code enc:v1:<base64(nonce || ciphertext || tag)>}, the tenant id being the associated
 * data, so that a value copied into another tenant's row does not decrypt. Without a key it stores values in
 * clear; either way a stored value without the prefix is read as clear text, so rows written before a key was
 * configured keep working. Instances are immutable and thread-safe; {@link #toString()} never shows the key.
 */
public final class SecretCipher {

    /** The prefix of an encrypted value; the version names the algorithm and layout above. */
    public static final String PREFIX = "enc:v1:";

    /** Key length in bytes: AES-256. */
    public static final int KEY_BYTES = 32;

    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKey key;

    private SecretCipher(SecretKey key) {
        this.key = key;
    }

    /** A cipher that stores values in clear and can read only clear values. */
    public static SecretCipher clear() {
        return new SecretCipher(null);
    }

    /**
     * A cipher keyed by {@code base64Key} (standard base64 of {@value #KEY_BYTES} bytes, surrounding whitespace
     * ignored), or a {@link #clear()} one when it is null or blank.
     *
     * @throws IllegalArgumentException when the key is not base64 or not 32 bytes long; the message says which,
     *                                  without repeating the key
     */
    public static SecretCipher of(String base64Key) {
        if (base64Key == null || base64Key.isBlank()) {
            return clear();
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64Key.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "the secrets encryption key is not valid base64; generate one with " + "'openssl rand -base64 32'");
        }
        if (bytes.length != KEY_BYTES) {
            throw new IllegalArgumentException("the secrets encryption key must be base64 of " + KEY_BYTES
                    + " bytes, got " + bytes.length + " bytes; generate one with 'openssl rand -base64 32'");
        }
        return new SecretCipher(new SecretKeySpec(bytes, "AES"));
    }

    /** Whether values are encrypted when stored, i.e. a key is configured. */
    public boolean encrypts() {
        return key != null;
    }

    /** Whether {@code stored} is an encrypted value (as opposed to one stored in clear). */
    public static boolean isEncrypted(String stored) {
        return stored != null && stored.startsWith(PREFIX);
    }

    /** The form of {@code secret} to store in {@code tenantId}'s row: encrypted with a key, as is without. */
    public String seal(String tenantId, String secret) {
        if (key == null) {
            return secret;
        }
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, tenantId);
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return PREFIX
                    + Base64.getEncoder()
                            .encodeToString(ByteBuffer.allocate(NONCE_BYTES + sealed.length)
                                    .put(nonce)
                                    .put(sealed)
                                    .array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    /**
     * The secret stored as {@code stored} in {@code tenantId}'s row: a clear value as is, an encrypted one
     * decrypted.
     *
     * @throws UnreadableSecretException when it is encrypted and there is no key, the key is another, the value
     *                                   was altered or it belongs to another tenant
     */
    public String open(String tenantId, String stored) {
        if (!isEncrypted(stored)) {
            return stored;
        }
        if (key == null) {
            throw new UnreadableSecretException("the webhook secret of tenant " + tenantId
                    + " is encrypted and no secrets encryption key is configured (SLUICE_SECRETS_ENCRYPTION_KEY)");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new UnreadableSecretException(
                    "the webhook secret of tenant " + tenantId + " is not valid " + PREFIX + " base64");
        }
        if (bytes.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new UnreadableSecretException(
                    "the webhook secret of tenant " + tenantId + " is too short to be " + PREFIX + " ciphertext");
        }
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, Arrays.copyOf(bytes, NONCE_BYTES), tenantId);
            byte[] secret = cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES);
            return new String(secret, StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new UnreadableSecretException("the webhook secret of tenant " + tenantId + " does not decrypt "
                    + "with the configured secrets encryption key (another key, another tenant's value, or altered)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    private Cipher cipher(int mode, byte[] nonce, String tenantId) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance(TRANSFORMATION);
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(tenantId.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }

    @Override
    public String toString() {
        return key == null ? "SecretCipher[clear]" : "SecretCipher[AES-256-GCM, key=***]";
    }
}
