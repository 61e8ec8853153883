package dev.sluice.api.admin;

import dev.sluice.api.web.JsonBodies;
import dev.sluice.db.model.ModelRepository;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
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
        String model = ModelBody.read(JsonBodies.read(request), "pause and resume take", "to pause or resume");
        models.setPaused(model, paused, clock.instant());
        return limits.current(model);
    }
}
