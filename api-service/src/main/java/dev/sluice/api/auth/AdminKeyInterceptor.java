package dev.sluice.api.auth;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.web.ApiException;
import dev.sluice.db.tenant.TenantEntityRepository;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Authenticates {@code /admin/**} with {@code SLUICE_ADMIN_KEY}. Both sides are hashed before a
 * constant-time comparison, so neither the key's content nor its length leaks through timing.
 * Without a configured key the admin API is off: every admin request gets 403. A request without an
 * {@code Authorization} header may instead carry the dashboard's session cookie ({@link AdminSessions}); then
 * anything but GET and HEAD must also carry the session's CSRF token.
 */
@Component
class AdminKeyInterceptor implements HandlerInterceptor {

    private static final Logger log = LoggerFactory.getLogger(AdminKeyInterceptor.class);

    private final byte[] adminKeyHash;
    private final TenantEntityRepository tenants;
    private final AdminSessions sessions;

    AdminKeyInterceptor(ApiProperties properties, TenantEntityRepository tenants, AdminSessions sessions) {
        this.sessions = sessions;
        this.adminKeyHash = properties.adminEnabled() ? ApiKeys.hash(properties.adminKey()) : null;
        this.tenants = tenants;
        if (adminKeyHash == null) {
            log.warn("SLUICE_ADMIN_KEY is not set: the admin API (/admin/**) is disabled and answers 403. "
                    + "Set SLUICE_ADMIN_KEY to create API keys.");
        }
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (adminKeyHash == null) {
            throw ApiException.forbidden("admin_api_disabled",
                    "The admin API is disabled. Start Sluice with SLUICE_ADMIN_KEY set to enable it.");
        }
        String key = BearerToken.of(request);
        if (key == null && request.getHeader(HttpHeaders.AUTHORIZATION) == null && sessions.signedIn(request)) {
            return sessionAllows(request);
        }
        if (key == null) {
            throw ApiException.unauthorized("invalid_admin_key", "The admin API needs the admin key in an "
                    + "Authorization header using Bearer auth (Authorization: Bearer SLUICE_ADMIN_KEY).");
        }
        byte[] hash = ApiKeys.hash(key);
        if (MessageDigest.isEqual(hash, adminKeyHash)) {
            return true;
        }
        if (tenants.findByKeyHash(hash).isPresent()) {
            throw ApiException.forbidden("insufficient_permissions",
                    "This is a tenant API key; the admin API needs the admin key (SLUICE_ADMIN_KEY).");
        }
        throw ApiException.unauthorized("invalid_admin_key", "Incorrect admin key provided.");
    }

    private boolean sessionAllows(HttpServletRequest request) {
        String method = request.getMethod();
        if (method.equals("GET") || method.equals("HEAD") || sessions.csrfMatches(request)) {
            return true;
        }
        throw ApiException.forbidden("invalid_csrf_token", "A change made with the dashboard's session needs its "
                + "CSRF token in " + AdminSessions.CSRF_HEADER + "; reload the dashboard and try again.");
    }
}
