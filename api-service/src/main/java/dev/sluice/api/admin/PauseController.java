package dev.sluice.api.admin;

import dev.sluice.api.job.JobFields;
import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.JsonBodies;
import dev.sluice.api.web.JsonInput;
import dev.sluice.db.model.ModelRepository;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.util.HashSet;
import java.util.Set;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /admin/pause} and {@code POST /admin/resume} with {@code {model}}: stops or restarts
 * dispatch of one model on every worker; its jobs wait in the queue meanwhile. A model not seen yet
 * is created, so that it can be paused before its first batch arrives.
 */
@RestController
@Tag(name = "Admin")
class PauseController {

    private final ModelRepository models;
    private final ModelLimits limits;
    private final Clock clock;

    PauseController(ModelRepository models, ModelLimits limits, Clock clock) {
        this.models = models;
        this.limits = limits;
        this.clock = clock;
    }

    @Operation(
            summary = "Stop dispatching a model",
            requestBody =
                    @RequestBody(
                            required = true,
                            content = @Content(schema = @Schema(implementation = AdminSchemas.Model.class))))
    @PostMapping(path = "/admin/pause", consumes = MediaType.APPLICATION_JSON_VALUE)
    LimitViews.ModelLimit pause(HttpServletRequest request) {
        return setPaused(request, true);
    }

    @Operation(
            summary = "Resume dispatching a model",
            requestBody =
                    @RequestBody(
                            required = true,
                            content = @Content(schema = @Schema(implementation = AdminSchemas.Model.class))))
    @PostMapping(path = "/admin/resume", consumes = MediaType.APPLICATION_JSON_VALUE)
    LimitViews.ModelLimit resume(HttpServletRequest request) {
        return setPaused(request, false);
    }

    private LimitViews.ModelLimit setPaused(HttpServletRequest request, boolean paused) {
        String model = readModel(JsonBodies.read(request));
        models.setPaused(model, paused, clock.instant());
        return limits.current(model);
    }

    private static String readModel(byte[] body) {
        String model = null;
        Set<String> seen = new HashSet<>();
        try (JsonInput json = JsonInput.objectOf(body)) {
            for (String field = json.nextField(seen, null); field != null; field = json.nextField(seen, null)) {
                if (!field.equals("model")) {
                    throw ApiException.invalid(
                            field,
                            "unknown_parameter",
                            "Unrecognized parameter '" + field + "'; pause and resume take only 'model'.");
                }
                model = json.stringOrNull(field);
            }
            json.end();
        }
        if (!seen.contains("model")) {
            throw ApiException.invalid("model", "missing_model", "Missing 'model': name the model to pause or resume.");
        }
        JobFields.checkModel(model, "model", "");
        return model;
    }
}
