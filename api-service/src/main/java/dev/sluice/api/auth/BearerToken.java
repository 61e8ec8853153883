package dev.sluice.api.auth;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpHeaders;

/** Reads {@code Authorization: Bearer <token>}. */
final class BearerToken {

    private static final String SCHEME = "bearer ";

    private BearerToken() {}

    /** The token, or null when the header is absent, empty or of another scheme. */
    static String of(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null
                || header.length() <= SCHEME.length()
                || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return null;
        }
        String token = header.substring(SCHEME.length()).strip();
        return token.isEmpty() ? null : token;
    }
}
