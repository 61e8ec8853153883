package dev.sluice.api.dashboard;

import java.time.Duration;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.CacheControl;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.resource.LiteWebJarsResourceResolver;

/**
 * Serves the dashboard's own script and style ({@code /dashboard/assets/**}) and the chart library's WebJar
 * ({@code /webjars/**}, version-free paths through webjars-locator-lite). These two are the only static content:
 * everything else stays a JSON API whose unknown paths are 404s in OpenAI's form.
 */
@Configuration(proxyBeanMethods = false)
class DashboardResources implements WebMvcConfigurer {

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        registry.addResourceHandler("/dashboard/assets/**")
                .addResourceLocations("classpath:/dashboard/assets/")
                .setCacheControl(CacheControl.noCache());
        registry.addResourceHandler("/webjars/**")
                .addResourceLocations("classpath:/META-INF/resources/webjars/")
                .setCacheControl(CacheControl.maxAge(Duration.ofDays(1)))
                .resourceChain(true)
                .addResolver(new LiteWebJarsResourceResolver());
    }
}
