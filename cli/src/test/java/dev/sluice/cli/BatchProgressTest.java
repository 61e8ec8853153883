package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BatchProgressTest {

    private static final Instant START = Instant.parse("2026-12-04T08:00:00Z");

    @Test
    void theRateIsWhatFinishedSinceWatchingBeganAndTheEtaFollowsIt() {
        BatchProgress.Tracker tracker = new BatchProgress.Tracker();

        BatchProgress first = tracker.observe("batch_a", "in_progress", 100, 10, 0, null, START);
        BatchProgress later = tracker.observe("batch_a", "in_progress", 100, 50, 2, null, START.plusSeconds(20));

        assertThat(first.rate()).isNull();
        assertThat(first.eta()).isNull();
        assertThat(later.rate()).isEqualTo(2.0);
        assertThat(later.eta()).isEqualTo(Duration.ofSeconds(25));
        assertThat(later.line()).isEqualTo("batch_a in_progress: 50/100 done, 2 failed, 2.0/s, ETA 25s");
    }

    @Test
    void theBatchsOwnEstimateWinsOverTheObservedRate() {
        BatchProgress.Tracker tracker = new BatchProgress.Tracker();
        tracker.observe("batch_a", "in_progress", 100, 10, 0, null, START);

        BatchProgress progress = tracker.observe(
                "batch_a",
                "in_progress",
                100,
                50,
                0,
                START.plusSeconds(20 + 300).getEpochSecond(),
                START.plusSeconds(20));

        assertThat(progress.eta()).isEqualTo(Duration.ofMinutes(5));
        assertThat(progress.line()).endsWith("ETA 5m00s");
    }

    @Test
    void aFinishedBatchHasNoEta() {
        BatchProgress.Tracker tracker = new BatchProgress.Tracker();
        tracker.observe("batch_a", "in_progress", 4, 0, 0, null, START);

        BatchProgress done =
                tracker.observe("batch_a", "completed", 4, 4, 0, START.getEpochSecond(), START.plusSeconds(4));

        assertThat(done.eta()).isNull();
        assertThat(done.line()).isEqualTo("batch_a completed: 4/4 done, 0 failed, 1.0/s");
    }

    @Test
    void plainLinesAppearOnChangeAndOnceAMinuteOtherwise() {
        StringWriter text = new StringWriter();
        ProgressDisplay lines = new ProgressDisplay.Lines(new PrintWriter(text, true));

        lines.show(new BatchProgress("batch_a", "in_progress", 10, 1, 0, null, null, START));
        lines.show(new BatchProgress("batch_a", "in_progress", 10, 1, 0, null, null, START.plusSeconds(2)));
        lines.show(new BatchProgress("batch_a", "in_progress", 10, 2, 0, null, null, START.plusSeconds(4)));
        lines.show(new BatchProgress("batch_a", "in_progress", 10, 2, 0, null, null, START.plusSeconds(64)));

        assertThat(text.toString().lines())
                .containsExactly(
                        "batch_a in_progress: 1/10 done, 0 failed",
                        "batch_a in_progress: 2/10 done, 0 failed",
                        "batch_a in_progress: 2/10 done, 0 failed");
    }
}
