package dev.sluice.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/** {@code sluice batch list}: {@code GET /v1/batches}, newest first, a page at a time. */
@Command(name = "list", description = "List your batches, newest first.")
final class BatchList extends SluiceCommand {

    @Option(
            names = "--limit",
            paramLabel = "N",
            defaultValue = "20",
            description = "How many, 1 to 100 (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--after", paramLabel = "BATCH_ID", description = "Start after this batch (the next page).")
    String after;

    @Override
    public Integer call() {
        if (limit < 1 || limit > 100) {
            throw new CliException(ExitCode.USAGE, "--limit must be from 1 to 100, got " + limit + ".");
        }
        JsonNode page = sluice().client()
                .get("/v1/batches?limit=" + limit + (after == null ? "" : "&after=" + Text.segment(after)));
        if (json()) {
            printJson(page);
            return ExitCode.OK.code();
        }
        Table table = new Table("ID", "STATUS", "ENDPOINT", "DONE", "FAILED", "TOTAL", "CREATED");
        for (JsonNode batch : page.path("data")) {
            table.row(
                    BatchReport.id(batch),
                    BatchReport.status(batch),
                    Text.string(batch.path("endpoint")),
                    Long.toString(BatchReport.succeeded(batch) + BatchReport.failed(batch)),
                    Long.toString(BatchReport.failed(batch)),
                    Long.toString(BatchReport.total(batch)),
                    Text.time(batch.path("created_at")));
        }
        if (table.isEmpty()) {
            out().println(after == null ? "No batches yet." : "No batches after " + after + ".");
        } else {
            table.print(out());
        }
        if (page.path("has_more").asBoolean(false)) {
            out().println("More: sluice batch list --after " + Text.string(page.path("last_id")));
        }
        out().flush();
        return ExitCode.OK.code();
    }
}
