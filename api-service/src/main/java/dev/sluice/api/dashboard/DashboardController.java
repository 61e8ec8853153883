package dev.sluice.api.dashboard;

import dev.sluice.api.auth.AdminKeyCheck;
import dev.sluice.api.auth.AdminSessions;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.util.HtmlUtils;

/**
 * The dashboard's pages: {@code GET /dashboard/} is the sign-in form until the admin key was given, then the
 * dashboard itself, whose script reads and changes everything through {@code /admin/**} with the session cookie.
 * The key travels once, in the body of {@code POST /dashboard/sign-in}; it is never put in a URL, a cookie or
 * a log line. A failed sign-in says only that it failed.
 */
@Controller
class DashboardController {

    /**
     * Pages are never cached and never framed; scripts and styles come only from this origin. Inline styles are
     * allowed because the chart library sizes its canvas with them.
     */
    private static final Map<String, String> PAGE_HEADERS = Map.of(
            "Content-Security-Policy",
                    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                            + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
                            + "base-uri 'none'",
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer");

    private final AdminSessions sessions;
    private final AdminKeyCheck check;
    private final String signInPage;
    private final String dashboardPage;

    DashboardController(AdminSessions sessions, AdminKeyCheck check) {
        this.sessions = sessions;
        this.check = check;
        this.signInPage = read("dashboard/sign-in.html");
        this.dashboardPage = read("dashboard/index.html");
    }

    @GetMapping("/dashboard")
    ResponseEntity<Void> withoutSlash() {
        return ResponseEntity.status(HttpStatus.MOVED_PERMANENTLY)
                .header(HttpHeaders.LOCATION, "/dashboard/")
                .build();
    }

    @GetMapping("/dashboard/")
    ResponseEntity<String> page(HttpServletRequest request) {
        if (sessions.signedIn(request)) {
            return html(HttpStatus.OK, dashboardPage);
        }
        return signIn(
                HttpStatus.OK,
                sessions.enabled()
                        ? ""
                        : "The admin API is disabled: start Sluice with SLUICE_ADMIN_KEY set to use the dashboard.");
    }

    @PostMapping(path = "/dashboard/sign-in", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
    ResponseEntity<String> signIn(
            @RequestParam(name = "admin_key", required = false) String adminKey, HttpServletRequest request) {
        // The same check as the admin API's bearer key, so failed sign-ins count toward the same throttle.
        String presented = adminKey == null || adminKey.isBlank() ? null : adminKey.strip();
        return switch (check.check(presented, request.getRemoteAddr())) {
            case AdminKeyCheck.Accepted accepted -> home(sessions.newToken(), request);
            case AdminKeyCheck.Throttled throttled ->
                signIn(
                        HttpStatus.TOO_MANY_REQUESTS,
                        "Too many failed sign-ins from your address. Try again in "
                                + Math.max(1, throttled.retryAfter().toSeconds()) + " s.");
            case AdminKeyCheck.Refused refused -> signIn(HttpStatus.UNAUTHORIZED, "Sign-in failed.");
            case AdminKeyCheck.Disabled disabled -> signIn(HttpStatus.UNAUTHORIZED, "Sign-in failed.");
        };
    }

    /** Clears both cookies; the signed token itself stays valid until it expires (nothing is stored to revoke). */
    @PostMapping("/dashboard/sign-out")
    ResponseEntity<String> signOut(HttpServletRequest request) {
        return home(null, request);
    }

    /** Back to the dashboard with the session's cookies set ({@code token}) or cleared (null). */
    private ResponseEntity<String> home(String token, HttpServletRequest request) {
        return ResponseEntity.status(HttpStatus.SEE_OTHER)
                .header(HttpHeaders.LOCATION, "/dashboard/")
                .header(
                        HttpHeaders.SET_COOKIE,
                        sessions.sessionCookie(token, request.isSecure()).toString())
                .header(
                        HttpHeaders.SET_COOKIE,
                        sessions.csrfCookie(token, request.isSecure()).toString())
                .cacheControl(CacheControl.noStore())
                .build();
    }

    private ResponseEntity<String> signIn(HttpStatus status, String message) {
        return html(status, signInPage.replace("{{message}}", HtmlUtils.htmlEscape(message)));
    }

    private static ResponseEntity<String> html(HttpStatus status, String body) {
        ResponseEntity.BodyBuilder builder = ResponseEntity.status(status)
                .contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
                .cacheControl(CacheControl.noStore());
        PAGE_HEADERS.forEach(builder::header);
        return builder.body(body);
    }

    private static String read(String path) {
        try (InputStream in = new ClassPathResource(path).getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("the dashboard's page " + path + " is missing from the jar", e);
        }
    }
}
