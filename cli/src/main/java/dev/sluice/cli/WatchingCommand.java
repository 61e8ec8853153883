package dev.sluice.cli;

import java.time.Clock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import tools.jackson.databind.JsonNode;

/** A command that follows a batch to its end, then reports it: {@code submit --wait}, {@code wait}. */
@Command
abstract class WatchingCommand extends ReportingCommand {

    @Mixin
    WatchOptions watch;

    /** Follows the batch with a progress display on stderr, then reports it; returns the exit code. */
    final int followAndReport(ApiClient api, JsonNode batch) {
        JsonNode last = new BatchWatcher(api, watch.interval, Clock.systemUTC(), err())
                .follow(batch, ProgressDisplay.open(sluice().interactive(), watch.quiet, err()));
        return report(api, last);
    }
}
