package dev.sluice.db.lane;

/**
 * A lane with work waiting, as a worker reads it under the model's lock: its tenant, its pass (the fair-share
 * position of its next message), the tenant's weight, and its stamp: its {@code published_at} in microseconds since
 * the epoch, which changes whenever the lane enters or a publisher touches it (the stamp its entry's notification
 * carried, {@link LaneNotifications.Entered}, while neither has happened since).
 */
public record Lane(String tenantId, double pass, int weight, long stamp) {}
