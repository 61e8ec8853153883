package dev.sluice.api.auth;

import dev.sluice.api.web.ApiException;
import dev.sluice.db.tenant.Tenant;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Authenticates {@code /v1/**}: the bearer key's SHA-256 must belong to a live key ({@link TenantKeys}, which
 * remembers the keys it found), and its tenant becomes the request's {@link Tenant}, which every query of the request
 * is scoped by.
 */
@Component
class TenantKeyInterceptor implements HandlerInterceptor {

    static final String TENANT = TenantKeyInterceptor.class.getName() + ".tenant";

    private final TenantKeys keys;

    TenantKeyInterceptor(TenantKeys keys) {
        this.keys = keys;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (request.getAttribute(TENANT) != null) {
            // An async re-dispatch (a finished results stream) of a request already authenticated.
            return true;
        }
        String key = BearerToken.of(request);
        if (key == null) {
            throw ApiException.unauthorized(
                    "invalid_api_key",
                    "You didn't provide an API key. Provide it in an "
                            + "Authorization header using Bearer auth (Authorization: Bearer YOUR_KEY).");
        }
        Tenant tenant = keys.find(key)
                .orElseThrow(() -> ApiException.unauthorized(
                        "invalid_api_key",
                        "Incorrect API key provided. It may have been revoked; ask your Sluice operator for a key."));
        request.setAttribute(TENANT, tenant);
        return true;
    }
}
