package dev.sluice.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * A batch as one poll saw it, with the rate and ETA worked out from the polls before.
 *
 * @param id     the batch
 * @param status its OpenAI status
 * @param total  its requests
 * @param done   requests finished, successfully or not
 * @param failed of which failed
 * @param rate   requests finished per second since watching began, or null before it can be told
 * @param eta    time until the batch should be done, or null when unknown or over
 * @param at     when the poll answered
 */
record BatchProgress(
        String id, String status, long total, long done, long failed, Double rate, Duration eta, Instant at) {

    /** {@code batch_x in_progress: 40/100 done, 2 failed, 3.4/s, ETA 19s}: a plain progress line. */
    String line() {
        StringBuilder line = new StringBuilder(id)
                .append(' ')
                .append(status)
                .append(": ")
                .append(done)
                .append('/')
                .append(total)
                .append(" done, ")
                .append(failed)
                .append(" failed");
        if (rate != null) {
            line.append(", ").append(rateText()).append("/s");
        }
        if (eta != null) {
            line.append(", ETA ").append(Text.duration(eta));
        }
        return line.toString();
    }

    /** The rate as shown: {@code 3.4}. */
    String rateText() {
        return rate == null ? "-" : String.format(Locale.ROOT, "%.1f", rate);
    }

    /**
     * Turns successive polls of one batch into {@link BatchProgress}: the rate is what finished since the
     * first poll over the time since then, and the ETA is the batch's own {@code estimated_completion_at}
     * (Sluice's, from the limits in force) when it has one, else what remains at the observed rate.
     */
    static final class Tracker {

        private Instant firstAt;
        private long firstDone;

        BatchProgress observe(
                String id, String status, long total, long done, long failed, Long estimatedCompletionAt, Instant now) {
            if (firstAt == null) {
                firstAt = now;
                firstDone = done;
            }
            double seconds = Duration.between(firstAt, now).toMillis() / 1000.0;
            Double rate = seconds >= 1 && done > firstDone ? (done - firstDone) / seconds : null;
            Duration eta = null;
            if (!BatchReport.FINISHED.contains(status)) {
                if (estimatedCompletionAt != null) {
                    eta = Duration.ofSeconds(Math.max(0, estimatedCompletionAt - now.getEpochSecond()));
                } else if (rate != null && total > done) {
                    eta = Duration.ofSeconds(Math.round((total - done) / rate));
                }
            }
            return new BatchProgress(id, status, total, done, failed, rate, eta, now);
        }
    }
}
