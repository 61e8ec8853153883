package dev.sluice.api.auth;

import java.util.List;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Tenant keys guard {@code /v1/**}, the admin key guards {@code /admin/**} (and {@code /actuator/**} but health,
 * through {@link ActuatorAccessFilter}); nothing else is open but {@code /actuator/health}.
 */
@Configuration(proxyBeanMethods = false)
class AuthConfiguration implements WebMvcConfigurer {

    private final TenantKeyInterceptor tenantKeys;
    private final AdminKeyInterceptor adminKey;

    AuthConfiguration(TenantKeyInterceptor tenantKeys, AdminKeyInterceptor adminKey) {
        this.tenantKeys = tenantKeys;
        this.adminKey = adminKey;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(tenantKeys).addPathPatterns("/v1/**");
        registry.addInterceptor(adminKey).addPathPatterns("/admin/**");
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(new TenantArgumentResolver());
    }
}
