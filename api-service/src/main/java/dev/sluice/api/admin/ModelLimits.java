package dev.sluice.api.admin;

import dev.sluice.common.Limit;
import dev.sluice.db.model.ModelRepository;

/** Reads back the row of a model the admin API has just written. */
final class ModelLimits {

    private ModelLimits() {}

    /** The model's pacing as stored now; the caller has just upserted it, so it exists. */
    static LimitViews.ModelLimit current(ModelRepository models, String model, Limit defaultLimit) {
        return models.settings(model)
                .map(settings -> LimitViews.ModelLimit.of(settings, defaultLimit))
                .orElseThrow(
                        () -> new IllegalStateException("model " + model + " vanished right after it was written"));
    }
}
