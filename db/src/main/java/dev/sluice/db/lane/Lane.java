package dev.sluice.db.lane;

/**
 * A lane with work waiting, as a worker reads it under the model's lock: its tenant, its pass (the fair-share
 * position of its next message) and the tenant's weight.
 */
public record Lane(String tenantId, double pass, int weight) {}
