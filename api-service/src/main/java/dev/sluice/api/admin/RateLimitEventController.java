package dev.sluice.api.admin;

import dev.sluice.api.job.JobFields;
import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.PageQuery;
import dev.sluice.db.ratelimit.RateLimitEventEntityRepository;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /admin/rate-limit-events?model=&after=&limit=}: every 429 the workers saw, newest
 * first, with what was learned from it. {@code after} is the {@code last_id} of the previous page
 * (events older than it follow); {@code limit} is 1-100, default 20; {@code model} filters.
 */
@RestController
@Tag(name = "Admin")
class RateLimitEventController {

    private final RateLimitEventEntityRepository events;

    RateLimitEventController(RateLimitEventEntityRepository events) {
        this.events = events;
    }

    @Operation(summary = "Every 429 the workers saw, newest first")
    @GetMapping("/admin/rate-limit-events")
    RateLimitEventViews.Page list(
            @RequestParam(required = false) String model,
            @RequestParam(required = false) String after,
            @RequestParam(required = false) String limit) {
        int size = PageQuery.parse(null, limit).limit();
        if (model != null && model.isEmpty()) {
            model = null;
        }
        if (model != null) {
            // Also keeps text PostgreSQL cannot bind (U+0000) away from the query.
            JobFields.checkModel(model, "model", "");
        }
        return RateLimitEventViews.Page.of(events.recent(model, cursor(after), size + 1), size);
    }

    private static Long cursor(String after) {
        if (after == null || after.isEmpty()) {
            return null;
        }
        try {
            long id = Long.parseLong(after.strip());
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // falls through to the refusal
        }
        throw ApiException.invalid(
                "after",
                "invalid_after",
                "after must be the id (a positive integer) of an event from a previous page, e.g. its last_id.");
    }
}
