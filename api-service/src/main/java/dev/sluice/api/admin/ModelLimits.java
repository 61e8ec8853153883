package dev.sluice.api.admin;

import dev.sluice.common.Limit;
import dev.sluice.common.LimitSet;
import dev.sluice.db.SharedProperties;
import dev.sluice.db.model.ModelRepository;
import dev.sluice.db.model.ModelSettings;
import dev.sluice.db.pacer.PacerBudgetRepository;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * A model's limits as the admin API shows them: the set in force (configured or default, joined by learned), and
 * how much of each limit the busiest upstream key used within its last window, read from the pacer's ledger.
 */
@Component
class ModelLimits {

    private final ModelRepository models;
    private final PacerBudgetRepository budgets;
    private final List<Limit> defaults;

    ModelLimits(ModelRepository models, PacerBudgetRepository budgets, SharedProperties properties) {
        this.models = models;
        this.budgets = budgets;
        this.defaults = properties.defaultLimits();
    }

    /** {@code SLUICE_DEFAULT_LIMIT}, parsed. */
    List<Limit> defaults() {
        return defaults;
    }

    /** The limits in force for a model with these settings (null: no row yet, the defaults). */
    LimitSet inForce(ModelSettings settings) {
        return settings == null ? LimitSet.of(List.of(), defaults, List.of()) : settings.limits(defaults);
    }

    /** One model's pacing as stored, with each limit's use. */
    LimitViews.ModelLimit view(ModelSettings settings) {
        return LimitViews.ModelLimit.of(settings, defaults, budgets::used);
    }

    /** The default's limits, each unused (a model without a row has sent nothing). */
    List<LimitViews.LimitEntry> defaultEntries() {
        return LimitSet.of(List.of(), defaults, List.of()).entries().stream()
                .map(entry -> LimitViews.LimitEntry.of(entry, 0))
                .toList();
    }

    /** The model's pacing as stored now; the caller has just upserted it, so it exists. */
    LimitViews.ModelLimit current(String model) {
        return models.settings(model)
                .map(this::view)
                .orElseThrow(
                        () -> new IllegalStateException("model " + model + " vanished right after it was written"));
    }
}
