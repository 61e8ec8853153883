package dev.sluice.cli;

import java.time.Duration;
import java.util.Optional;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * The live bar on a terminal ({@code me.tongfei:progressbar}, drawn on stderr):
 * {@code batch 40% │████▌      │ 40/100 (0:00:12 / 0:00:19) 2 failed · 3.4/s}, with the status
 * when it is not {@code in_progress}. The batch's id was printed just before; the bar leaves it out
 * so that the bar itself keeps some width on an 80-column terminal. Its ETA is the tracker's, not the
 * library's guess.
 */
final class ProgressBarDisplay implements ProgressDisplay {

    private ProgressBar bar;
    private volatile Duration eta;

    @Override
    public void show(BatchProgress progress) {
        eta = progress.eta();
        if (bar == null) {
            bar = new ProgressBarBuilder()
                    .setTaskName("batch")
                    .setInitialMax(-1)
                    .setUpdateIntervalMillis(250)
                    .continuousUpdate()
                    .setEtaFunction(state -> Optional.ofNullable(eta))
                    .build();
        }
        if (progress.total() > 0) {
            bar.maxHint(progress.total());
        }
        bar.stepTo(progress.done());
        String status = progress.status().equals("in_progress") ? "" : progress.status() + " · ";
        bar.setExtraMessage(status + progress.failed() + " failed · " + progress.rateText() + "/s");
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
