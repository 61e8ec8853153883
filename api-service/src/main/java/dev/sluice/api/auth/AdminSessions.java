package dev.sluice.api.auth;

import dev.sluice.api.ApiProperties;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.http.ResponseCookie;
import org.springframework.stereotype.Component;

/**
 * The dashboard's signed-in state: after the admin key is given once in the sign-in form, the browser holds
 * a signed session token in an {@code HttpOnly}, {@code SameSite=Strict} cookie instead of the key. The token
 * ({@code v1.<expiry>.<nonce>.<HMAC-SHA256>}) is signed with a key derived from {@code SLUICE_ADMIN_KEY}, so
 * every api replica accepts it, nothing is stored server-side, and changing the admin key signs everyone out.
 * A second cookie, readable by the page's script, carries the CSRF token bound to the session; requests
 * other than GET and HEAD that authenticate by cookie must echo it in {@code X-CSRF-Token}.
 */
@Component
public class AdminSessions {

    /** The session cookie: the signed token, never readable by scripts. */
    public static final String SESSION_COOKIE = "sluice_session";

    /** The CSRF cookie: the token the dashboard's script sends back in {@link #CSRF_HEADER}. */
    public static final String CSRF_COOKIE = "sluice_csrf";

    /** The header state-changing requests authenticated by cookie must carry. */
    public static final String CSRF_HEADER = "X-CSRF-Token";

    /** How long a session lasts; signing in again starts a new one. */
    public static final Duration LIFETIME = Duration.ofHours(8);

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final byte[] adminKeyHash;
    private final byte[] signingKey;
    private final Clock clock;

    AdminSessions(ApiProperties properties, Clock clock) {
        this.clock = clock;
        if (properties.adminEnabled()) {
            this.adminKeyHash = ApiKeys.hash(properties.adminKey());
            // Domain-separated from the key's plain hash, which the admin API compares against.
            this.signingKey = ApiKeys.hash("sluice dashboard session signing\u0000" + properties.adminKey());
        } else {
            this.adminKeyHash = null;
            this.signingKey = null;
        }
    }

    /** Whether an admin key is configured at all; without one there is nothing to sign in with. */
    public boolean enabled() {
        return adminKeyHash != null;
    }

    /** A new session token, valid for {@link #LIFETIME}. */
    public String newToken() {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String payload = "v1." + clock.instant().plus(LIFETIME).getEpochSecond() + "." + B64.encodeToString(nonce);
        return payload + "." + sign(payload);
    }

    /** The CSRF token that belongs to a session token. */
    public String csrfOf(String token) {
        return sign("csrf." + token);
    }

    /** The session cookie holding {@code token}, or one that clears it when {@code token} is null. */
    public ResponseCookie sessionCookie(String token, boolean secure) {
        return cookie(SESSION_COOKIE, token, true, secure);
    }

    /** The CSRF cookie for {@code token}, or one that clears it when {@code token} is null. */
    public ResponseCookie csrfCookie(String token, boolean secure) {
        return cookie(CSRF_COOKIE, token == null ? null : csrfOf(token), false, secure);
    }

    /** Whether the request carries a valid, unexpired session cookie. */
    public boolean signedIn(HttpServletRequest request) {
        return valid(sessionToken(request));
    }

    /** Whether the request carries the CSRF token of its (valid) session. */
    public boolean csrfMatches(HttpServletRequest request) {
        String token = sessionToken(request);
        String sent = request.getHeader(CSRF_HEADER);
        return valid(token)
                && sent != null
                && MessageDigest.isEqual(
                        sent.getBytes(StandardCharsets.US_ASCII), csrfOf(token).getBytes(StandardCharsets.US_ASCII));
    }

    /** The session cookie's value, or null. */
    static String sessionToken(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return null;
        }
        for (Cookie cookie : cookies) {
            if (cookie.getName().equals(SESSION_COOKIE)) {
                return cookie.getValue();
            }
        }
        return null;
    }

    boolean valid(String token) {
        if (signingKey == null || token == null) {
            return false;
        }
        int lastDot = token.lastIndexOf('.');
        if (lastDot < 0) {
            return false;
        }
        String payload = token.substring(0, lastDot);
        byte[] expected = sign(payload).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, token.substring(lastDot + 1).getBytes(StandardCharsets.US_ASCII))) {
            return false;
        }
        String[] parts = payload.split("\\.");
        if (parts.length != 3 || !parts[0].equals("v1")) {
            return false;
        }
        try {
            return Instant.ofEpochSecond(Long.parseLong(parts[1])).isAfter(clock.instant());
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private String sign(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(signingKey, "HmacSHA256"));
            return B64.encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM provides HmacSHA256", e);
        }
    }

    private static ResponseCookie cookie(String name, String value, boolean httpOnly, boolean secure) {
        return ResponseCookie.from(name, value == null ? "" : value)
                .path("/")
                .httpOnly(httpOnly)
                .secure(secure)
                .sameSite("Strict")
                .maxAge(value == null ? Duration.ZERO : LIFETIME)
                .build();
    }
}
