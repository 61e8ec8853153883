package dev.sluice.api.auth;

import dev.sluice.api.web.ApiException;
import dev.sluice.db.tenant.TenantEntityRepository;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Authenticates {@code /admin/**} (and, through {@link ActuatorAccessFilter}, {@code /actuator/**}) with
 * {@code SLUICE_ADMIN_KEY}, checked by {@link AdminKeyCheck}: constant-time, and throttled per client address
 * (429 {@code too_many_failed_logins} with {@code Retry-After}). Without a configured key the admin API is off:
 * every admin request gets 403. A request without an {@code Authorization} header may instead carry the
 * dashboard's session cookie ({@link AdminSessions}); then anything but GET and HEAD must also carry the
 * session's CSRF token.
 */
@Component
class AdminKeyInterceptor implements HandlerInterceptor {

    private static final Logger log = LoggerFactory.getLogger(AdminKeyInterceptor.class);

    private final AdminKeyCheck check;
    private final TenantEntityRepository tenants;
    private final AdminSessions sessions;

    AdminKeyInterceptor(AdminKeyCheck check, TenantEntityRepository tenants, AdminSessions sessions) {
        this.check = check;
        this.tenants = tenants;
        this.sessions = sessions;
        if (!check.enabled()) {
            log.warn("SLUICE_ADMIN_KEY is not set: the admin API (/admin/**) and /actuator/** but health are disabled "
                    + "and answer 403. Set SLUICE_ADMIN_KEY to create API keys.");
        }
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        String key = BearerToken.of(request);
        if (check.enabled()
                && key == null
                && request.getHeader(HttpHeaders.AUTHORIZATION) == null
                && sessions.signedIn(request)) {
            return sessionAllows(request);
        }
        return switch (check.check(key, request.getRemoteAddr())) {
            case AdminKeyCheck.Accepted accepted -> true;
            case AdminKeyCheck.Disabled disabled ->
                throw ApiException.forbidden(
                        "admin_api_disabled",
                        "The admin API is disabled. Start Sluice with SLUICE_ADMIN_KEY set to enable it.");
            case AdminKeyCheck.Throttled throttled -> throw throttled(response, throttled);
            case AdminKeyCheck.Refused refused -> throw refusal(key);
        };
    }

    /** The answer to a throttled attempt, with its {@code Retry-After}. */
    private static ApiException throttled(HttpServletResponse response, AdminKeyCheck.Throttled throttled) {
        long seconds =
                throttled.retryAfter().toSeconds() + (throttled.retryAfter().toMillisPart() > 0 ? 1 : 0);
        response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        return new ApiException(
                HttpStatus.TOO_MANY_REQUESTS,
                "invalid_request_error",
                null,
                "too_many_failed_logins",
                "Too many failed admin key attempts from your address. " + "Retry in " + seconds
                        + " s with the right key.");
    }

    private boolean sessionAllows(HttpServletRequest request) {
        String method = request.getMethod();
        if (method.equals("GET") || method.equals("HEAD") || sessions.csrfMatches(request)) {
            return true;
        }
        throw ApiException.forbidden(
                "invalid_csrf_token",
                "A change made with the dashboard's session needs its " + "CSRF token in " + AdminSessions.CSRF_HEADER
                        + "; reload the dashboard and try again.");
    }

    private ApiException refusal(String key) {
        if (key == null) {
            return ApiException.unauthorized(
                    "invalid_admin_key",
                    "The admin API needs the admin key in an "
                            + "Authorization header using Bearer auth (Authorization: Bearer SLUICE_ADMIN_KEY).");
        }
        if (tenants.findByKeyHash(ApiKeys.hash(key)).isPresent()) {
            return ApiException.forbidden(
                    "insufficient_permissions",
                    "This is a tenant API key; the admin API needs the admin key (SLUICE_ADMIN_KEY).");
        }
        return ApiException.unauthorized("invalid_admin_key", "Incorrect admin key provided.");
    }
}
