package dev.sluice.api.admin;

import dev.sluice.api.model.ModelRegistry;
import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.JsonBodies;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriUtils;

/**
 * {@code /admin/models}: the models jobs may name — those the provider lists and those operators allowed — and
 * the operator's allowance of a model the provider does not list ({@code POST}, {@code DELETE}), for every
 * api-service instance. Model ids contain a slash, so everything after {@code /admin/models/} is the id.
 */
@RestController
@Tag(name = "Admin")
class AdminModelController {

    private static final String PREFIX = "/admin/models/";

    private final ModelRegistry registry;

    AdminModelController(ModelRegistry registry) {
        this.registry = registry;
    }

    @Operation(summary = "Every model jobs may name, and where it comes from")
    @GetMapping("/admin/models")
    ModelViews.Listed list() {
        return ModelViews.Listed.of(registry.providerListRead(), registry.entries());
    }

    @Operation(
            summary = "Allow a model the provider does not list",
            requestBody =
                    @RequestBody(
                            required = true,
                            content = @Content(schema = @Schema(implementation = AdminSchemas.Model.class))))
    @ApiResponse(
            responseCode = "201",
            description = "Allowed now",
            content = @Content(schema = @Schema(implementation = ModelViews.Known.class)))
    @ApiResponse(
            responseCode = "200",
            description = "Already allowed by an operator",
            content = @Content(schema = @Schema(implementation = ModelViews.Known.class)))
    @PostMapping(path = "/admin/models", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<ModelViews.Known> allow(HttpServletRequest request) {
        String model = ModelBody.read(JsonBodies.read(request), "POST /admin/models takes", "to allow");
        boolean added = registry.allow(model);
        return ResponseEntity.status(added ? HttpStatus.CREATED : HttpStatus.OK).body(known(model));
    }

    @Operation(summary = "Withdraw an operator's allowance of a model; jobs already accepted still run")
    @DeleteMapping("/admin/models/**")
    ModelViews.Withdrawn disallow(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        String model = UriUtils.decode(path.substring(PREFIX.length()), StandardCharsets.UTF_8);
        if (!registry.disallow(model)) {
            if (registry.configured(model)) {
                throw ApiException.conflict(
                        "model_configured",
                        "The model '" + shown(model) + "' is allowed by SLUICE_MODELS; remove it there and restart.");
            }
            throw new ApiException(
                    HttpStatus.NOT_FOUND,
                    "invalid_request_error",
                    "model",
                    "model_not_found",
                    "No operator allowed the model '" + shown(model) + "' through POST /admin/models.");
        }
        return new ModelViews.Withdrawn(model, "model", true, sources(model));
    }

    private ModelViews.Known known(String model) {
        return new ModelViews.Known(model, "model", sources(model));
    }

    private List<String> sources(String model) {
        return registry.entries().stream()
                .filter(entry -> entry.model().equals(model))
                .findFirst()
                .map(ModelRegistry.Entry::sources)
                .orElse(List.of());
    }

    private static String shown(String model) {
        return model.length() > 100 ? model.substring(0, 100) + "..." : model;
    }
}
