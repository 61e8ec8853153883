package dev.sluice.api.admin;

import jakarta.annotation.Nullable;
import java.math.BigDecimal;
import java.util.List;

/** The objects {@code GET /admin/queues} answers with. */
final class QueueViews {

    private QueueViews() {}

    /**
     * One model's queue.
     *
     * @param model                   the model
     * @param waiting                 jobs {@code queued} (including those backing off before a retry)
     * @param inFlight                jobs {@code running}: claimed by a worker
     * @param consumers               workers that dispatch this model and sent a heartbeat in the last 30 s
     * @param limit                   the tightest request limit in force (null when only tokens are limited)
     * @param limitSource             where it comes from: {@code configured}, {@code learned} or {@code default}
     * @param limits                  every limit in force, with its source and how much of it is in use
     * @param paused                  whether an operator paused the model
     * @param rateLimitedLastHour     429s the workers received for the model in the last hour
     * @param oldestWaitingAgeSeconds seconds since the oldest waiting job was submitted; null when none waits
     * @param estimatedDrainSeconds   seconds to dispatch every waiting and in-flight job at the effective
     *                                limit; null while paused
     * @param tenants                 the tenants with work waiting on the model and their fair shares of it
     */
    record Queue(
            String model,
            long waiting,
            long inFlight,
            int consumers,
            @Nullable LimitViews.LimitView limit,
            String limitSource,
            List<LimitViews.LimitEntry> limits,
            boolean paused,
            long rateLimitedLastHour,
            @Nullable Long oldestWaitingAgeSeconds,
            @Nullable BigDecimal estimatedDrainSeconds,
            List<WaitingTenant> tenants) {}

    /**
     * A tenant with work waiting on a model (its lane).
     *
     * @param tenantId           the tenant
     * @param tenantName         its name
     * @param weight             its weight ({@code PATCH /admin/tenants/{id}})
     * @param share              its share of the model's slots while these tenants wait: weight / the sum of theirs
     * @param waiting            its jobs {@code queued} for the model
     * @param waitingSinceSeconds seconds since its lane began to wait
     */
    record WaitingTenant(
            String tenantId,
            @Nullable String tenantName,
            int weight,
            BigDecimal share,
            long waiting,
            long waitingSinceSeconds) {}

    /**
     * Every model, by id.
     *
     * @param object always {@code list}
     * @param data   the queues
     */
    record Listed(String object, List<Queue> data) {}
}
