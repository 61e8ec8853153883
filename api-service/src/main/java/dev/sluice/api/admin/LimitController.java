package dev.sluice.api.admin;

import dev.sluice.api.web.JsonBodies;
import dev.sluice.common.Limit;
import dev.sluice.db.SharedProperties;
import dev.sluice.db.model.ModelRepository;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /admin/limits}: every model's effective limit and where it comes from, and the operator's
 * per-model override. Workers re-read the stored settings every second, so a change applies on all
 * of them without a restart.
 */
@RestController
@RequestMapping("/admin/limits")
@Tag(name = "Admin")
class LimitController {

    private final ModelRepository models;
    private final Limit defaultLimit;
    private final Clock clock;

    LimitController(ModelRepository models, SharedProperties properties, Clock clock) {
        this.models = models;
        this.defaultLimit = properties.defaultLimit();
        this.clock = clock;
    }

    @Operation(summary = "Every known model's limit in force and its source")
    @GetMapping
    LimitViews.Listed list() {
        return new LimitViews.Listed(
                "list",
                LimitViews.LimitView.of(defaultLimit),
                models.settings().stream()
                        .map(settings -> LimitViews.ModelLimit.of(settings, defaultLimit))
                        .toList());
    }

    /** Sets (or, with both limit fields null, clears) a model's limit and cap; an unseen model is created. */
    @Operation(
            summary = "Set or clear a model's limit and concurrency cap",
            requestBody =
                    @RequestBody(
                            required = true,
                            content = @Content(schema = @Schema(implementation = AdminSchemas.SetLimit.class))))
    @PutMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    LimitViews.ModelLimit configure(HttpServletRequest request) {
        LimitChange change = LimitChange.read(JsonBodies.read(request));
        models.configure(change.model(), change.limit(), change.maxConcurrency(), clock.instant());
        return ModelLimits.current(models, change.model(), defaultLimit);
    }
}
