package dev.sluice.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code sluice batch get ID}: one batch's state, as fields a person reads. */
@Command(name = "get", description = "Show one batch: status, counts, files, times.")
final class BatchGet extends SluiceCommand {

    @Parameters(paramLabel = "BATCH_ID", description = "The batch, e.g. batch_abc123.")
    String id;

    @Override
    public Integer call() {
        JsonNode batch = sluice().client().get(BatchReport.path(id));
        if (json()) {
            printJson(batch);
            return ExitCode.OK.code();
        }
        StringBuilder metadata = new StringBuilder();
        for (Map.Entry<String, JsonNode> pair : batch.path("metadata").properties()) {
            metadata.append(metadata.isEmpty() ? "" : ", ")
                    .append(pair.getKey())
                    .append('=')
                    .append(Text.string(pair.getValue()));
        }
        Table fields = new Table("id", BatchReport.id(batch))
                .row("status", BatchReport.status(batch))
                .row("endpoint", Text.string(batch.path("endpoint")))
                .row(
                        "requests",
                        (BatchReport.succeeded(batch) + BatchReport.failed(batch)) + "/" + BatchReport.total(batch)
                                + " done, " + BatchReport.failed(batch) + " failed")
                .row("input file", Text.string(batch.path("input_file_id")))
                .row("output file", Text.string(batch.path("output_file_id")))
                .row("error file", Text.string(batch.path("error_file_id")))
                .row("created", Text.time(batch.path("created_at")))
                .row("expires", Text.time(batch.path("expires_at")))
                .row("estimated end", Text.time(batch.path("estimated_completion_at")))
                .row("metadata", metadata.isEmpty() ? "-" : metadata.toString());
        for (String end : new String[] {"completed", "failed", "expired", "cancelled"}) {
            if (batch.path(end + "_at").isNumber()) {
                fields.row(end, Text.time(batch.path(end + "_at")));
            }
        }
        fields.print(out());
        if (BatchReport.status(batch).equals("failed")) {
            out().println(BatchReport.summary(batch));
        }
        out().flush();
        return ExitCode.OK.code();
    }
}
