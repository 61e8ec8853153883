package dev.sluice.common.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures: {@code v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">},
 * keyed by the base64-decoded part of a {@code whsec_} secret. Several secrets (during a rotation) give
 * several signatures separated by spaces, which every Standard Webhooks verifier accepts if any one matches.
 */
public final class WebhookSignature {

    /** The prefix of a Standard Webhooks secret. */
    public static final String SECRET_PREFIX = "whsec_";

    private WebhookSignature() {}

    /** The {@code webhook-signature} header for a message signed with each of {@code secrets}, in order. */
    public static String header(List<String> secrets, String messageId, long timestamp, String body) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one secret is needed to sign message " + messageId);
        }
        return secrets.stream()
                .map(secret -> sign(secret, messageId, timestamp, body))
                .collect(Collectors.joining(" "));
    }

    /** One signature, {@code v1,<base64>}. */
    public static String sign(String secret, String messageId, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key(secret), "HmacSHA256"));
            byte[] digest = mac.doFinal((messageId + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM provides HmacSHA256", e);
        }
    }

    private static byte[] key(String secret) {
        String encoded = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
        try {
            return Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            // The message says what is wrong, never what the secret is.
            throw new IllegalArgumentException("a webhook secret must be 'whsec_' followed by base64", e);
        }
    }
}
