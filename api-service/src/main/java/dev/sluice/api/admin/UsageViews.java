package dev.sluice.api.admin;

import dev.sluice.db.operations.UsageRow;
import jakarta.annotation.Nullable;
import java.time.LocalDate;
import java.util.List;

/** The objects {@code GET /admin/usage} answers with. */
final class UsageViews {

    private UsageViews() {}

    /**
     * One tenant's use of one model on one UTC day.
     *
     * @param tenantId         the tenant
     * @param tenantName       its name
     * @param model            the model
     * @param day              {@code YYYY-MM-DD}, the UTC day the jobs finished
     * @param requests         jobs that finished ({@code succeeded} + {@code failed}), cache hits included
     * @param succeeded        of which succeeded
     * @param failed           of which failed
     * @param promptTokens     prompt tokens
     * @param completionTokens completion tokens
     * @param totalTokens      total tokens, those of cache hits included
     * @param cacheHits        of the requests, batch jobs answered from the response cache without a provider call
     * @param cachedTotalTokens of {@code totalTokens}, those of the cache hits (the provider's spend is the difference)
     * @param estimatedPromptTokens prompt tokens as estimated at submission, over the jobs the provider answered with
     *                              usage
     * @param countedPromptTokens   prompt tokens as the provider counted them, over the same jobs
     * @param promptEstimateRatio   estimated over counted: the estimator's error for the model (1 is exact); null when
     *                              no such job finished
     */
    record Usage(
            String tenantId,
            String tenantName,
            String model,
            String day,
            long requests,
            long succeeded,
            long failed,
            long promptTokens,
            long completionTokens,
            long totalTokens,
            long cacheHits,
            long cachedTotalTokens,
            long estimatedPromptTokens,
            long countedPromptTokens,
            @Nullable Double promptEstimateRatio) {

        static Usage of(UsageRow row) {
            return new Usage(
                    row.tenantId(),
                    row.tenantName(),
                    row.model(),
                    row.day().toString(),
                    row.requests(),
                    row.succeeded(),
                    row.failed(),
                    row.promptTokens(),
                    row.completionTokens(),
                    row.totalTokens(),
                    row.cacheHits(),
                    row.cachedTotalTokens(),
                    row.estimatedPromptTokens(),
                    row.countedPromptTokens(),
                    row.countedPromptTokens() == 0
                            ? null
                            : Math.round(1000.0 * row.estimatedPromptTokens() / row.countedPromptTokens()) / 1000.0);
        }
    }

    /**
     * The sums over every row.
     *
     * @param requests         requests
     * @param promptTokens     prompt tokens
     * @param completionTokens completion tokens
     * @param totalTokens      total tokens
     * @param cacheHits        cache hits
     * @param cachedTotalTokens total tokens of the cache hits
     */
    record Totals(
            long requests,
            long promptTokens,
            long completionTokens,
            long totalTokens,
            long cacheHits,
            long cachedTotalTokens) {}

    /**
     * The report.
     *
     * @param object always {@code admin.usage}
     * @param from   first day covered
     * @param to     last day covered
     * @param data   rows by day, tenant, model
     * @param totals the sums over {@code data}
     */
    record Report(String object, String from, String to, List<Usage> data, Totals totals) {

        static Report of(LocalDate from, LocalDate to, List<UsageRow> rows) {
            Totals totals = new Totals(
                    rows.stream().mapToLong(UsageRow::requests).sum(),
                    rows.stream().mapToLong(UsageRow::promptTokens).sum(),
                    rows.stream().mapToLong(UsageRow::completionTokens).sum(),
                    rows.stream().mapToLong(UsageRow::totalTokens).sum(),
                    rows.stream().mapToLong(UsageRow::cacheHits).sum(),
                    rows.stream().mapToLong(UsageRow::cachedTotalTokens).sum());
            return new Report(
                    "admin.usage",
                    from.toString(),
                    to.toString(),
                    rows.stream().map(Usage::of).toList(),
                    totals);
        }
    }
}
