package dev.sluice.api.admin;

import dev.sluice.api.job.JobFields;
import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.PageQuery;
import dev.sluice.db.operations.UsageRepository;
import dev.sluice.db.operations.UsageRow;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /admin/usage?from=&to=&tenant=&model=}: requests and tokens by tenant × model × UTC day over
 * the jobs that finished in {@code [from, to]} (inclusive days, {@code YYYY-MM-DD}; default the last 7 days
 * up to today), summed from the jobs themselves.
 */
@RestController
@Tag(name = "Admin")
class UsageController {

    /** The longest range one request may cover. */
    static final int MAX_DAYS = 366;

    private final UsageRepository usage;
    private final Clock clock;

    UsageController(UsageRepository usage, Clock clock) {
        this.usage = usage;
        this.clock = clock;
    }

    @Operation(summary = "Requests and tokens by tenant, model and UTC day")
    @GetMapping("/admin/usage")
    UsageViews.Report report(
            @RequestParam(required = false) String from,
            @RequestParam(required = false) String to,
            @RequestParam(required = false) String tenant,
            @RequestParam(required = false) String model) {
        LocalDate last =
                to == null || to.isEmpty() ? LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC) : day(to, "to");
        LocalDate first = from == null || from.isEmpty() ? last.minusDays(6) : day(from, "from");
        if (first.isAfter(last)) {
            throw ApiException.invalid(
                    "from", "invalid_range", "from (" + first + ") must not be after to (" + last + ").");
        }
        if (ChronoUnit.DAYS.between(first, last) >= MAX_DAYS) {
            throw ApiException.invalid("from", "invalid_range", "A usage report covers at most " + MAX_DAYS + " days.");
        }
        if (tenant != null && !tenant.isEmpty() && !PageQuery.plausibleId(tenant)) {
            throw ApiException.invalid("tenant", "invalid_tenant", "tenant must be a tenant id such as ten_….");
        }
        if (model != null && !model.isEmpty()) {
            JobFields.checkModel(model, "model", "");
        }
        List<UsageRow> rows = usage.usage(
                first.atStartOfDay(ZoneOffset.UTC).toInstant(),
                last.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant(),
                emptyToNull(tenant),
                emptyToNull(model));
        return UsageViews.Report.of(first, last, rows);
    }

    private static LocalDate day(String text, String param) {
        try {
            LocalDate day = LocalDate.parse(text.strip());
            // PostgreSQL's timestamps and LocalDate's arithmetic both end somewhere; no job is older than 1970.
            if (day.getYear() < 1970 || day.getYear() > 9999) {
                throw ApiException.invalid(
                        param,
                        "invalid_date",
                        param + " must be a day between 1970-01-01 and " + "9999-12-31, got '" + text + "'.");
            }
            return day;
        } catch (DateTimeParseException e) {
            throw ApiException.invalid(
                    param, "invalid_date", param + " must be a date as YYYY-MM-DD (UTC), got '" + text + "'.");
        }
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
