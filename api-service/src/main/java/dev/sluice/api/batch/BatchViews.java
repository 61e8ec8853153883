package dev.sluice.api.batch;

import dev.sluice.db.batch.BatchRepository;
import dev.sluice.db.batch.BatchRow;
import dev.sluice.db.batch.JobCounts;
import dev.sluice.db.batch.Usage;
import java.time.Instant;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Renders stored batches as {@link BatchView}s: counts and usage are read from the counts kept with the jobs
 * while the batch runs ({@link BatchRepository#liveCounts}, never a count of its jobs), and from the batch row
 * once finalisation stored them.
 */
@Component
class BatchViews {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final BatchRepository batches;
    private final DrainTimes drainTimes;

    BatchViews(BatchRepository batches, DrainTimes drainTimes) {
        this.batches = batches;
        this.drainTimes = drainTimes;
    }

    BatchView of(BatchRow row) {
        boolean settled = row.status().isTerminal() && row.requestCompleted() != null;
        BatchView.RequestCounts counts;
        Usage usage;
        if (settled) {
            counts = new BatchView.RequestCounts(
                    row.requestTotal(),
                    row.requestCompleted(),
                    row.requestFailed() == null ? 0 : row.requestFailed(),
                    null,
                    null,
                    null,
                    null);
            usage = row.usage() != null ? row.usage() : batches.liveUsage(row.id());
        } else {
            // One read of the kept rows gives the counts and the usage.
            BatchRepository.Progress progress = batches.liveProgress(row.id());
            JobCounts live = progress.counts();
            usage = progress.usage();
            counts = new BatchView.RequestCounts(
                    row.requestTotal(),
                    live.succeeded(),
                    live.unsuccessful(),
                    live.queued(),
                    live.running(),
                    live.cancelled(),
                    live.expired());
        }
        return new BatchView(
                row.id(),
                "batch",
                row.endpoint(),
                json(row.errorsJson()),
                row.inputFileId(),
                row.completionWindow(),
                row.status().wire(),
                row.outputFileId(),
                row.errorFileId(),
                row.createdAt().getEpochSecond(),
                seconds(row.inProgressAt()),
                seconds(row.expiresAt()),
                seconds(row.finalizingAt()),
                seconds(row.completedAt()),
                seconds(row.failedAt()),
                seconds(row.expiredAt()),
                seconds(row.cancellingAt()),
                seconds(row.cancelledAt()),
                counts,
                json(row.metadataJson()),
                new BatchView.Usage(
                        usage.promptTokens(),
                        new BatchView.InputDetails(0),
                        usage.completionTokens(),
                        new BatchView.OutputDetails(0),
                        usage.totalTokens()),
                row.priority(),
                row.webhookUrl(),
                row.webhookEvents(),
                seconds(drainTimes.batchCompletion(
                        row, counts.queued() == null ? 0 : counts.queued() + counts.running())));
    }

    private static JsonNode json(String text) {
        return text == null ? null : JSON.readTree(text);
    }

    private static Long seconds(Instant instant) {
        return instant == null ? null : instant.getEpochSecond();
    }
}
