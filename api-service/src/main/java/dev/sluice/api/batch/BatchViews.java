package dev.sluice.api.batch;

import dev.sluice.db.batch.BatchPollRepository;
import dev.sluice.db.batch.BatchRow;
import dev.sluice.db.batch.JobCounts;
import dev.sluice.db.batch.PolledBatch;
import dev.sluice.db.batch.Usage;
import java.time.Instant;
import java.util.Optional;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Renders stored batches as {@link BatchView}s from one read each ({@link BatchPollRepository}): counts and usage come
 * from the counts kept with the jobs while the batch runs (never a count of its jobs), and from the batch row once
 * finalisation stored them.
 */
@Component
class BatchViews {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final BatchPollRepository polls;
    private final DrainTimes drainTimes;
    private final BatchPolls shared;

    BatchViews(BatchPollRepository polls, DrainTimes drainTimes, BatchPolls shared) {
        this.polls = polls;
        this.drainTimes = drainTimes;
        this.shared = shared;
    }

    /**
     * The tenant's batch {@code id} as a poll sees it, or empty when it has no such batch: read, or from a read of it
     * this replica made for another poll within {@code SLUICE_BATCH_POLL_STALENESS} ({@link BatchPolls}).
     */
    Optional<BatchView> poll(String tenantId, String id) {
        return shared.poll(tenantId, id, () -> read(tenantId, id));
    }

    /** A batch just read, as a client sees it now. */
    BatchView of(BatchRow row) {
        return read(row.tenantId(), row.id()).orElseThrow();
    }

    /** A batch this replica just changed (created, cancelled), as a client sees it now and in its next poll. */
    BatchView changed(BatchRow row) {
        shared.forget(row.tenantId(), row.id());
        return of(row);
    }

    private Optional<BatchView> read(String tenantId, String id) {
        return polls.find(tenantId, id).map(this::of);
    }

    private BatchView of(PolledBatch polled) {
        BatchRow row = polled.batch();
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
            usage = row.usage() != null ? row.usage() : polled.progress().usage();
        } else {
            JobCounts live = polled.progress().counts();
            usage = polled.progress().usage();
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
                seconds(drainTimes.batchCompletion(polled)));
    }

    private static JsonNode json(String text) {
        return text == null ? null : JSON.readTree(text);
    }

    private static Long seconds(Instant instant) {
        return instant == null ? null : instant.getEpochSecond();
    }
}
