package dev.sluice.db.operations;

import java.time.LocalDate;

/**
 * What one tenant spent on one model on one UTC day, counted over the jobs that finished that day after
 * reaching the provider ({@code succeeded} or {@code failed}).
 *
 * @param tenantId         the tenant
 * @param model            the model
 * @param day              the UTC day the jobs finished
 * @param requests         jobs finished ({@code succeeded} + {@code failed})
 * @param succeeded        of which succeeded
 * @param failed           of which failed
 * @param promptTokens     prompt tokens summed (jobs without usage count 0)
 * @param completionTokens completion tokens summed
 * @param totalTokens      total tokens summed
 */
public record UsageRow(String tenantId, String model, LocalDate day, long requests, long succeeded, long failed,
        long promptTokens, long completionTokens, long totalTokens) {
}
