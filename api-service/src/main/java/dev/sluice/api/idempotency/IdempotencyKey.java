package dev.sluice.api.idempotency;

import dev.sluice.api.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Enumeration;

/**
 * A request's {@code Idempotency-Key} header with the SHA-256 of what the request asks for: the exact
 * body bytes, so the same key with a body that differs in any byte (even whitespace or key order) is
 * a different request.
 *
 * @param value       the header, 1 to 255 printable ASCII characters
 * @param requestHash SHA-256 of the request
 */
public record IdempotencyKey(String value, byte[] requestHash) {

    /** The header's name. */
    public static final String HEADER = "Idempotency-Key";

    private static final int MAX_LENGTH = 255;

    /**
     * The header's value, or null when the request has none; a 400 naming the header when it is empty,
     * longer than 255 characters, holds anything but printable ASCII, or is given more than once.
     */
    public static String header(HttpServletRequest request) {
        Enumeration<String> values = request.getHeaders(HEADER);
        if (values == null || !values.hasMoreElements()) {
            return null;
        }
        String value = values.nextElement();
        if (values.hasMoreElements()) {
            throw invalid("The " + HEADER + " header must be given at most once.");
        }
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            throw invalid("The " + HEADER + " header must be 1 to " + MAX_LENGTH + " characters long, got "
                    + value.length() + ".");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw invalid("The " + HEADER + " header must hold printable ASCII characters only.");
            }
        }
        return value;
    }

    /** The key for a request whose identity is {@code requestBytes}; null when {@code value} is null. */
    public static IdempotencyKey of(String value, byte[] requestBytes) {
        if (value == null) {
            return null;
        }
        try {
            return new IdempotencyKey(
                    value, MessageDigest.getInstance("SHA-256").digest(requestBytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static ApiException invalid(String message) {
        return ApiException.invalid(HEADER, "invalid_idempotency_key", message);
    }
}
