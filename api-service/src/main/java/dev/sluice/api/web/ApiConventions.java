package dev.sluice.api.web;

import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.core.converter.ResolvedSchema;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.Paths;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.PathParameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.web.method.HandlerMethod;

/**
 * What every operation shares, added once here rather than on each controller method: the key it needs
 * ({@code /v1/**} a tenant's, {@code /admin/**} the operator's), and the error object for the statuses any
 * operation of its kind can answer (400 for input, 401 without a valid key, 403 for a tenant key on the admin API,
 * 404 for an unknown id, 413 for an oversized body, and anything else as {@code default}). Statuses particular to
 * one operation (409, 504, ...) are named on its controller method with {@link ErrorResponse}.
 */
class ApiConventions implements OpenApiCustomizer, OperationCustomizer {

    /** {@code GET /v1/models/**}: model ids hold slashes, so the mapping takes the rest of the path. */
    private static final String MODELS_WILDCARD = "/v1/models/**";

    private static final String MODEL_PATH = "/v1/models/{model}";

    private static final String ERROR_REF = "#/components/schemas/Error";

    /** Adds the {@link ErrorResponse}s of the controller method. */
    @Override
    public Operation customize(Operation operation, HandlerMethod handlerMethod) {
        for (ErrorResponse response : AnnotatedElementUtils.findMergedRepeatableAnnotations(
                handlerMethod.getMethod(), ErrorResponse.class, ErrorResponse.List.class)) {
            operation.getResponses().addApiResponse(String.valueOf(response.status()), error(response.description()));
        }
        return operation;
    }

    @Override
    public void customise(OpenAPI openApi) {
        ResolvedSchema error = ModelConverters.getInstance(true)
                .resolveAsResolvedSchema(new AnnotatedType(ErrorBody.class).resolveAsRef(false));
        openApi.getComponents().addSchemas("Error", error.schema);
        error.referencedSchemas.forEach(openApi.getComponents()::addSchemas);
        Paths paths = openApi.getPaths();
        if (paths == null) {
            return;
        }
        PathItem models = paths.remove(MODELS_WILDCARD);
        if (models != null) {
            models.readOperations()
                    .forEach(operation -> operation.addParametersItem(new PathParameter()
                            .name("model")
                            .description(
                                    "The model id as the provider names it; may contain slashes (openai/gpt-4o-mini).")
                            .schema(new Schema<String>().type("string"))));
            paths.addPathItem(MODEL_PATH, models);
        }
        for (Map.Entry<String, PathItem> path : paths.entrySet()) {
            boolean admin = path.getKey().startsWith("/admin/");
            for (Operation operation : path.getValue().readOperations()) {
                operation.addSecurityItem(new SecurityRequirement()
                        .addList(admin ? ApiDocsConfiguration.ADMIN_KEY : ApiDocsConfiguration.API_KEY));
                conventionalErrors(path.getKey(), admin, operation);
            }
        }
    }

    private static void conventionalErrors(String path, boolean admin, Operation operation) {
        ApiResponses responses = operation.getResponses();
        boolean hasInput = operation.getRequestBody() != null
                || (operation.getParameters() != null
                        && operation.getParameters().stream()
                                .anyMatch(p -> "query".equals(p.getIn()) || "header".equals(p.getIn())));
        if (hasInput) {
            addError(responses, "400", "The input is invalid; `error.param` names where.");
        }
        addError(
                responses,
                "401",
                admin ? "No admin key, or a wrong one." : "No API key, or an unknown or revoked one.");
        if (admin) {
            addError(
                    responses,
                    "403",
                    "A tenant key on the admin API, or the admin API is disabled (no SLUICE_ADMIN_KEY).");
        }
        if (path.contains("{")) {
            addError(responses, "404", "No such object, or another tenant's.");
        }
        if (operation.getRequestBody() != null) {
            addError(responses, "413", "The body is larger than the configured limit.");
        }
        addError(responses, "default", "Any other error (e.g. 503 while the database is unreachable).");
    }

    private static void addError(ApiResponses responses, String status, String description) {
        if (!responses.containsKey(status)) {
            responses.addApiResponse(status, error(description));
        }
    }

    /** An error response: OpenAI's error object. */
    static ApiResponse error(String description) {
        return new ApiResponse()
                .description(description)
                .content(new Content()
                        .addMediaType(
                                org.springframework.http.MediaType.APPLICATION_JSON_VALUE,
                                new MediaType().schema(new Schema<>().$ref(ERROR_REF))));
    }
}
