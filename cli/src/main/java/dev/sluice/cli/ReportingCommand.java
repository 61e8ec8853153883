package dev.sluice.cli;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import tools.jackson.databind.JsonNode;

/** A command that ends with a finished batch: writes the result files asked for and says how it went. */
@Command
abstract class ReportingCommand extends SluiceCommand {

    @Mixin
    ResultFiles files;

    /** Writes {@code --output}/{@code --errors}, prints the summary (or the batch with {@code --json}); the exit code. */
    final int report(ApiClient api, JsonNode batch) {
        List<String> written = files.write(api, batch);
        if (json()) {
            printJson(batch);
        } else {
            out().println(BatchReport.summary(batch));
            written.forEach(out()::println);
            if (!files.any() && batch.path("output_file_id").isString()) {
                out().println("Fetch the results: sluice batch results " + BatchReport.id(batch)
                        + " --output results.jsonl --errors errors.jsonl");
            }
            out().flush();
        }
        return BatchReport.exitCode(batch).code();
    }
}
