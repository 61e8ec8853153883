package dev.sluice.api.facade;

import dev.sluice.api.model.ProviderModels;
import dev.sluice.api.web.ApiException;
import dev.sluice.db.tenant.Tenant;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriUtils;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}}: the provider's models as the provider lists them.
 * Model ids contain a slash ({@code openai/gpt-4o-mini}), so everything after the prefix is the id.
 */
@RestController
@Tag(name = "OpenAI facade")
class ModelController {

    private static final String PREFIX = "/v1/models/";

    private final ProviderModels models;

    ModelController(ProviderModels models) {
        this.models = models;
    }

    @Operation(summary = "List the provider's models")
    @ApiResponse(
            responseCode = "200",
            description = "The provider's list",
            content = @Content(schema = @Schema(implementation = FacadeSchemas.ModelList.class)))
    @GetMapping("/v1/models")
    JsonNode list(Tenant tenant) {
        return models.list();
    }

    @Operation(summary = "Get one of the provider's models")
    @ApiResponse(
            responseCode = "200",
            description = "The provider's model",
            content = @Content(schema = @Schema(implementation = FacadeSchemas.Model.class)))
    @GetMapping("/v1/models/**")
    JsonNode get(Tenant tenant, HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        String id = UriUtils.decode(path.substring(PREFIX.length()), StandardCharsets.UTF_8);
        return models.find(id)
                .orElseThrow(() -> new ApiException(
                        HttpStatus.NOT_FOUND,
                        "invalid_request_error",
                        "model",
                        "model_not_found",
                        "The model '" + (id.length() > 100 ? id.substring(0, 100) + "..." : id) + "' does not exist."));
    }
}
