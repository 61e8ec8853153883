package dev.sluice.api.facade;

import dev.sluice.api.web.ApiException;
import dev.sluice.db.tenant.Tenant;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;
import org.springframework.web.util.UriUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}}: the provider's models as the provider lists them.
 * Model ids contain a slash ({@code openai/gpt-4o-mini}), so everything after the prefix is the id.
 */
@RestController
class ModelController {

    private static final String PREFIX = "/v1/models/";

    private final ProviderModels models;

    ModelController(ProviderModels models) {
        this.models = models;
    }

    @GetMapping("/v1/models")
    JsonNode list(Tenant tenant) {
        return models.list();
    }

    @GetMapping("/v1/models/**")
    JsonNode get(Tenant tenant, HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        String id = UriUtils.decode(path.substring(PREFIX.length()), StandardCharsets.UTF_8);
        return models.find(id).orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "invalid_request_error",
                "model", "model_not_found", "The model '" + (id.length() > 100 ? id.substring(0, 100) + "..." : id)
                        + "' does not exist."));
    }
}
