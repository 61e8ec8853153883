package dev.sluice.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sluice batch wait ID}: follows a batch to its end, then writes its results if asked. */
@Command(
        name = "wait",
        sortOptions = false,
        description = "Show a batch's progress until it ends, then write --output and --errors.")
final class BatchWait extends WatchingCommand {

    @Parameters(paramLabel = "BATCH_ID", description = "The batch, e.g. batch_abc123.")
    String id;

    @Override
    public Integer call() {
        files.checkWritable();
        ApiClient api = sluice().client();
        return followAndReport(api, api.get(BatchReport.path(id)));
    }
}
