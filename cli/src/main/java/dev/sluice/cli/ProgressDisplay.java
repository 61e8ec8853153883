package dev.sluice.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;

/**
 * Where a watched batch's progress goes, always on stderr so that stdout keeps the result: a live bar
 * on a terminal, plain lines when not (a pipe, a CI log), nothing with {@code --quiet}.
 */
interface ProgressDisplay extends AutoCloseable {

    void show(BatchProgress progress);

    /** Leaves the terminal's cursor on a fresh line. */
    @Override
    void close();

    static ProgressDisplay open(boolean interactive, boolean quiet, PrintWriter err) {
        if (quiet) {
            return new Silent();
        }
        return interactive ? new ProgressBarDisplay() : new Lines(err);
    }

    /** {@code --quiet}. */
    final class Silent implements ProgressDisplay {

        @Override
        public void show(BatchProgress progress) {}

        @Override
        public void close() {}
    }

    /** One line whenever the status or counts change, and at least once a minute while nothing does. */
    final class Lines implements ProgressDisplay {

        static final Duration HEARTBEAT = Duration.ofMinutes(1);

        private final PrintWriter err;
        private String last;
        private Instant lastAt;

        Lines(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void show(BatchProgress progress) {
            String key = progress.status() + progress.done() + "/" + progress.total() + "/" + progress.failed();
            if (!key.equals(last) || !progress.at().isBefore(lastAt.plus(HEARTBEAT))) {
                err.println(progress.line());
                err.flush();
                last = key;
                lastAt = progress.at();
            }
        }

        @Override
        public void close() {}
    }
}
