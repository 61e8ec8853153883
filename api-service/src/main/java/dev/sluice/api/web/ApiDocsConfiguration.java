package dev.sluice.api.web;

import dev.sluice.db.tenant.Tenant;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The API description: OpenAPI 3.1 at {@code /v3/api-docs}, Swagger UI at {@code /swagger-ui.html}, both public
 * (they describe the API and hold no secret). Built by springdoc from the controllers and their view records;
 * {@link ApiConventions} adds what every operation shares (its key, the error object).
 */
@Configuration(proxyBeanMethods = false)
class ApiDocsConfiguration {

    /** The security scheme of {@code /v1/**}: a tenant's API key. */
    static final String API_KEY = "apiKey";
    /** The security scheme of {@code /admin/**}: {@code SLUICE_ADMIN_KEY}. */
    static final String ADMIN_KEY = "adminKey";

    static {
        // The authenticated tenant is resolved from the Authorization header, not read from the request.
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(Tenant.class);
    }

    @Bean
    OpenAPI sluiceOpenApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("Sluice API")
                        .version("v1")
                        .description("""
                                OpenAI-compatible Batch, Files and (synchronous) chat/completions/embeddings API \
                                in front of a rate-limited provider, plus Sluice's own extensions (single jobs, \
                                results, live progress, webhooks) and the operators' admin API. \
                                Errors are always OpenAI's error object. Guides: docs/ in the repository.""")
                        .license(new License().name("See the repository")))
                .components(new Components()
                        .addSecuritySchemes(
                                API_KEY,
                                new SecurityScheme()
                                        .type(SecurityScheme.Type.HTTP)
                                        .scheme("bearer")
                                        .bearerFormat("sk-sluice-…")
                                        .description("A tenant's API key, made with POST /admin/api-keys."))
                        .addSecuritySchemes(
                                ADMIN_KEY,
                                new SecurityScheme()
                                        .type(SecurityScheme.Type.HTTP)
                                        .scheme("bearer")
                                        .description("The operator's key, SLUICE_ADMIN_KEY.")));
    }

    @Bean
    WireModelResolver wireModelResolver() {
        return new WireModelResolver();
    }

    @Bean
    ApiConventions apiConventions() {
        return new ApiConventions();
    }
}
