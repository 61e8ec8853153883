package dev.sluice.worker.metrics;

import dev.sluice.common.Limit;
import dev.sluice.common.LimitSet;
import dev.sluice.db.SharedProperties;
import dev.sluice.db.model.ModelRepository;
import dev.sluice.db.model.ModelSettings;
import dev.sluice.db.operations.QueueStats;
import dev.sluice.db.operations.QueueStatsRepository;
import dev.sluice.db.operations.WorkerHeartbeatRepository;
import dev.sluice.db.pacer.PacerBudgetRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * Per-model gauges read from PostgreSQL, the source of truth, by {@link #refresh()} on the operations loop
 * rather than on every scrape: queue depth, jobs in flight, the oldest waiting job's age, consumers, the
 * effective and learned limits and the pause switch. Every worker exports the same values; dashboards and
 * alerts take the {@code max} over instances.
 */
@Component
class QueueGauges {

    private final QueueStatsRepository stats;
    private final ModelRepository models;
    private final List<Limit> defaultLimits;
    private final PacerBudgetRepository budgets;
    private final InstantSource clock;
    private final MultiGauge depth;
    private final MultiGauge inFlight;
    private final MultiGauge oldestAge;
    private final MultiGauge consumers;
    private final MultiGauge paused;
    private final MultiGauge limits;
    private final MultiGauge limitsUsed;

    QueueGauges(
            QueueStatsRepository stats,
            ModelRepository models,
            SharedProperties properties,
            PacerBudgetRepository budgets,
            InstantSource clock,
            MeterRegistry meters) {
        this.stats = stats;
        this.models = models;
        this.defaultLimits = properties.defaultLimits();
        this.budgets = budgets;
        this.clock = clock;
        this.depth = gauge("sluice.queue.depth", "Jobs waiting (queued), by model", null, meters);
        this.inFlight = gauge("sluice.queue.in.flight", "Jobs running, by model", null, meters);
        this.oldestAge = gauge(
                "sluice.queue.oldest.age", "Age of the oldest waiting job (0 when none waits)", "seconds", meters);
        this.consumers = gauge("sluice.queue.consumers", "Live workers dispatching the model", null, meters);
        this.paused = gauge("sluice.model.paused", "1 while an operator has paused the model", null, meters);
        this.limits = gauge(
                "sluice.limit",
                "Every limit in force: requests or tokens (unit label) per window (window label), with its source",
                null,
                meters);
        this.limitsUsed = gauge(
                "sluice.limit.used",
                "How much of each limit in force the busiest upstream key used within its last window",
                null,
                meters);
    }

    /** Reads the counts and settings once and replaces every gauge's rows. */
    void refresh() {
        Instant now = clock.instant();
        List<QueueStats> rows =
                stats.perModel(now.minus(Duration.ofHours(1)), now.minus(WorkerHeartbeatRepository.LIVE_WITHIN));
        Map<String, ModelSettings> settings =
                models.settings().stream().collect(Collectors.toMap(ModelSettings::model, Function.identity()));
        depth.register(rows(rows, QueueStats::waiting), true);
        inFlight.register(rows(rows, QueueStats::running), true);
        oldestAge.register(
                rows(
                        rows,
                        row -> row.oldestWaitingSince() == null
                                ? 0.0
                                : Math.max(
                                        0,
                                        Duration.between(row.oldestWaitingSince(), now)
                                                        .toMillis()
                                                / 1000.0)),
                true);
        consumers.register(rows(rows, QueueStats::consumers), true);
        List<MultiGauge.Row<?>> pausedRows = new ArrayList<>();
        List<MultiGauge.Row<?>> amounts = new ArrayList<>();
        List<Tags> usedTags = new ArrayList<>();
        List<PacerBudgetRepository.ModelLimit> inUse = new ArrayList<>();
        for (QueueStats row : rows) {
            ModelSettings model = settings.get(row.model());
            pausedRows.add(MultiGauge.Row.of(Tags.of("model", row.model()), model != null && model.paused() ? 1 : 0));
            LimitSet inForce =
                    model == null ? LimitSet.of(List.of(), defaultLimits, List.of()) : model.limits(defaultLimits);
            for (LimitSet.Entry entry : inForce.entries()) {
                Limit limit = entry.limit();
                Tags tags = Tags.of(
                        "model", row.model(),
                        "unit", limit.unit().wireName(),
                        "window",
                                limit.window().toMillis() % 1000 == 0
                                        ? limit.window().toSeconds() + "s"
                                        : limit.window().toMillis() + "ms",
                        "source", entry.source().wireName());
                amounts.add(MultiGauge.Row.of(tags, limit.amount()));
                usedTags.add(tags);
                inUse.add(new PacerBudgetRepository.ModelLimit(row.model(), limit));
            }
        }
        // One statement for every model's limits: a query per limit cost an idle worker that knows many models
        // more than all its other loops together (docs/benchmarks.md, "An idle worker").
        long[] usedAmounts = budgets.used(inUse);
        List<MultiGauge.Row<?>> used = new ArrayList<>(usedAmounts.length);
        for (int i = 0; i < usedAmounts.length; i++) {
            used.add(MultiGauge.Row.of(usedTags.get(i), usedAmounts[i]));
        }
        paused.register(pausedRows, true);
        limits.register(amounts, true);
        limitsUsed.register(used, true);
    }

    private static List<MultiGauge.Row<?>> rows(List<QueueStats> rows, Function<QueueStats, Number> value) {
        List<MultiGauge.Row<?>> result = new ArrayList<>(rows.size());
        for (QueueStats row : rows) {
            result.add(MultiGauge.Row.of(Tags.of("model", row.model()), value.apply(row)));
        }
        return result;
    }

    private static MultiGauge gauge(String name, String description, String unit, MeterRegistry meters) {
        return MultiGauge.builder(name).description(description).baseUnit(unit).register(meters);
    }
}
