package dev.sluice.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code sluice batch cancel ID}: {@code POST /v1/batches/{id}/cancel}; finished work is kept. */
@Command(name = "cancel", description = "Cancel a batch: what has not run is not run; finished work is kept.")
final class BatchCancel extends SluiceCommand {

    @Parameters(paramLabel = "BATCH_ID", description = "The batch, e.g. batch_abc123.")
    String id;

    @Override
    public Integer call() {
        JsonNode batch = sluice().client().post(BatchReport.path(id) + "/cancel");
        if (json()) {
            printJson(batch);
        } else {
            out().println(BatchReport.id(batch) + " is " + BatchReport.status(batch) + ". Its finished results stay: "
                    + "sluice batch wait " + BatchReport.id(batch) + " --output results.jsonl");
            out().flush();
        }
        return ExitCode.OK.code();
    }
}
