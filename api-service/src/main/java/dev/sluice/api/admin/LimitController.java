package dev.sluice.api.admin;

import dev.sluice.api.web.JsonBodies;
import dev.sluice.common.Limit;
import dev.sluice.db.model.ModelRepository;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import org.springframework.http.MediaType;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /admin/limits}: every model's limits in force, where each comes from and how much of it is in use, and
 * the operator's per-model set. Workers re-read the stored settings every second, so a change applies on all
 * of them without a restart.
 */
@RestController
@RequestMapping("/admin/limits")
@Tag(name = "Admin")
class LimitController {

    private final ModelRepository models;
    private final ModelLimits limits;
    private final TransactionTemplate transaction;
    private final Clock clock;

    LimitController(ModelRepository models, ModelLimits limits, TransactionTemplate transaction, Clock clock) {
        this.models = models;
        this.limits = limits;
        this.transaction = transaction;
        this.clock = clock;
    }

    @Operation(summary = "Every known model's limits in force, each with its source and current use")
    @GetMapping
    LimitViews.Listed list() {
        return new LimitViews.Listed(
                "list",
                LimitViews.LimitView.of(limits.defaults().stream()
                        .filter(Limit::countsRequests)
                        .findFirst()
                        .orElse(null)),
                limits.defaultEntries(),
                models.settings().stream().map(limits::view).toList());
    }

    /** Sets (or, with no limits, clears) a model's limits, cap and answer default; an unseen model is created. */
    @Operation(
            summary = "Set or clear a model's limits, concurrency cap and answer default",
            requestBody =
                    @RequestBody(
                            required = true,
                            content = @Content(schema = @Schema(implementation = AdminSchemas.SetLimit.class))))
    @PutMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    LimitViews.ModelLimit configure(HttpServletRequest request) {
        LimitChange change = LimitChange.read(JsonBodies.read(request));
        transaction.executeWithoutResult(status -> models.configure(
                change.model(), change.limits(), change.maxConcurrency(), change.defaultMaxTokens(), clock.instant()));
        return limits.current(change.model());
    }
}
