package dev.sluice.api.auth;

import dev.sluice.api.web.ApiException;
import dev.sluice.db.tenant.Tenant;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/** Gives a controller method's {@link Tenant} parameter the tenant {@link TenantKeyInterceptor} authenticated. */
class TenantArgumentResolver implements HandlerMethodArgumentResolver {

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == Tenant.class;
    }

    @Override
    public Tenant resolveArgument(
            MethodParameter parameter,
            ModelAndViewContainer mav,
            NativeWebRequest request,
            WebDataBinderFactory binderFactory) {
        if (request.getAttribute(TenantKeyInterceptor.TENANT, RequestAttributes.SCOPE_REQUEST) instanceof Tenant t) {
            return t;
        }
        // Only reachable by mapping a tenant endpoint outside /v1/**, which the interceptor guards.
        throw ApiException.unauthorized("invalid_api_key", "This endpoint needs an API key.");
    }
}
