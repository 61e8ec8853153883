package dev.sluice.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** How a batch is watched: {@code --poll-interval}, {@code --quiet}. */
final class WatchOptions {

    @Option(
            names = "--poll-interval",
            order = 20,
            paramLabel = "DURATION",
            defaultValue = "2s",
            converter = DurationConverter.class,
            description = "How often to ask for the batch's state, e.g. 500ms, 2s, 1m (default ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(
            names = {"-q", "--quiet"},
            order = 21,
            description = "No progress on stderr; only the result.")
    boolean quiet;
}
