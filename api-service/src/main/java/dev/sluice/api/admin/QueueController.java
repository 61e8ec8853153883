package dev.sluice.api.admin;

import dev.sluice.api.batch.DrainTimes;
import dev.sluice.common.LimitSet;
import dev.sluice.db.lane.LaneRepository;
import dev.sluice.db.lane.WaitingLane;
import dev.sluice.db.model.ModelRepository;
import dev.sluice.db.model.ModelSettings;
import dev.sluice.db.operations.QueueStats;
import dev.sluice.db.operations.QueueStatsRepository;
import dev.sluice.db.operations.WorkerHeartbeatRepository;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /admin/queues}: one row per known model saying why its work moves or not. Counts come from
 * PostgreSQL, the source of truth (the broker's queue holds only the messages not yet taken).
 */
@RestController
@Tag(name = "Admin")
class QueueController {

    /** The window of {@code rate_limited_last_hour}. */
    private static final Duration RATE_LIMIT_WINDOW = Duration.ofHours(1);

    private final QueueStatsRepository stats;
    private final LaneRepository lanes;
    private final ModelRepository models;
    private final ModelLimits limits;
    private final Clock clock;

    QueueController(
            QueueStatsRepository stats, LaneRepository lanes, ModelRepository models, ModelLimits limits, Clock clock) {
        this.stats = stats;
        this.lanes = lanes;
        this.models = models;
        this.limits = limits;
        this.clock = clock;
    }

    @Operation(summary = "Per model: waiting, in flight, limit, pause, 429s, drain estimate, tenants and their shares")
    @GetMapping("/admin/queues")
    QueueViews.Listed list() {
        Instant now = clock.instant();
        Map<String, ModelSettings> settings =
                models.settings().stream().collect(Collectors.toMap(ModelSettings::model, Function.identity()));
        Map<String, List<QueueViews.WaitingTenant>> waiting = lanes.waiting().stream()
                .collect(Collectors.groupingBy(
                        WaitingLane::model, Collectors.mapping(lane -> waitingTenant(lane, now), Collectors.toList())));
        List<QueueViews.Queue> data =
                stats.perModel(now.minus(RATE_LIMIT_WINDOW), now.minus(WorkerHeartbeatRepository.LIVE_WITHIN)).stream()
                        .map(row ->
                                view(row, settings.get(row.model()), waiting.getOrDefault(row.model(), List.of()), now))
                        .toList();
        return new QueueViews.Listed("list", data);
    }

    private static QueueViews.WaitingTenant waitingTenant(WaitingLane lane, Instant now) {
        return new QueueViews.WaitingTenant(
                lane.tenantId(),
                lane.tenantName(),
                lane.weight(),
                BigDecimal.valueOf(lane.share()).setScale(4, RoundingMode.HALF_EVEN),
                lane.queuedJobs(),
                Math.max(0, Duration.between(lane.waitingSince(), now).toSeconds()));
    }

    private QueueViews.Queue view(
            QueueStats row, ModelSettings settings, List<QueueViews.WaitingTenant> tenants, Instant now) {
        LimitViews.ModelLimit pacing = settings == null ? null : limits.view(settings);
        LimitSet inForce = limits.inForce(settings);
        LimitSet.Entry tightest = LimitViews.ModelLimit.tightest(inForce);
        boolean paused = settings != null && settings.paused();
        Long oldestAge = row.oldestWaitingSince() == null
                ? null
                : Math.max(0, Duration.between(row.oldestWaitingSince(), now).toSeconds());
        return new QueueViews.Queue(
                row.model(),
                row.waiting(),
                row.running(),
                row.consumers(),
                LimitViews.LimitView.of(tightest.limit().countsRequests() ? tightest.limit() : null),
                tightest.source().wireName(),
                pacing == null ? limits.defaultEntries() : pacing.limits(),
                paused,
                row.rateLimitedRecently(),
                oldestAge,
                paused ? null : LimitViews.seconds(DrainTimes.toDrain(row.waiting() + row.running(), inForce)),
                tenants);
    }
}
