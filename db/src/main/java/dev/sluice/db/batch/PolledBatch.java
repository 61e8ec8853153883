package dev.sluice.db.batch;

import java.util.Map;

/**
 * A batch as a poll reads it ({@link BatchPollRepository}).
 *
 * @param batch    its row
 * @param progress its jobs by status and their tokens so far, summed over its models
 * @param ahead    per model with unfinished jobs of the batch, while it is {@code in_progress}: the unfinished jobs of
 *                 that model that go before or with the batch's (its own included); empty otherwise
 */
public record PolledBatch(BatchRow batch, BatchRepository.Progress progress, Map<String, Long> ahead) {

    public PolledBatch {
        ahead = Map.copyOf(ahead);
    }
}
