package dev.sluice.api.auth;

import dev.sluice.api.web.ApiException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * Keeps {@code /actuator/**} to the operator: every actuator path but {@code /actuator/health} (and its
 * liveness and readiness groups, which load balancers and orchestrators probe without a key) takes the admin
 * key, checked and throttled like {@code /admin/**}. So Prometheus scrapes {@code /actuator/prometheus} with
 * {@code Authorization: Bearer $SLUICE_ADMIN_KEY} (docs/operations.md). A filter, not an interceptor, because
 * actuator endpoints are not mapped by the application's handler mapping; refusals are answered by the same
 * exception handler as every other error, in OpenAI's error form.
 */
@Component
class ActuatorAccessFilter extends OncePerRequestFilter {

    private final AdminKeyInterceptor adminKey;
    private final HandlerExceptionResolver errors;

    ActuatorAccessFilter(
            AdminKeyInterceptor adminKey, @Qualifier("handlerExceptionResolver") HandlerExceptionResolver errors) {
        this.adminKey = adminKey;
        this.errors = errors;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = path(request);
        boolean actuator = path.equals("/actuator") || path.startsWith("/actuator/");
        boolean health = path.equals("/actuator/health") || path.startsWith("/actuator/health/");
        return !actuator || health;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            adminKey.preHandle(request, response, null);
        } catch (ApiException refused) {
            errors.resolveException(request, response, null, refused);
            return;
        }
        chain.doFilter(request, response);
    }

    /** The decoded, normalised path inside the application ({@code ..} and {@code ;params} already gone). */
    private static String path(HttpServletRequest request) {
        String servletPath = request.getServletPath();
        String pathInfo = request.getPathInfo();
        return pathInfo == null ? servletPath : servletPath + pathInfo;
    }
}
