package dev.sluice.db.lane;

import java.util.Objects;

/** One lane: a model and a tenant, whose jobs for that model travel in their own queue. */
public record LaneKey(String model, String tenantId) {

    public LaneKey {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(tenantId, "tenantId");
    }
}
