package dev.sluice.cli;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/**
 * {@code sluice batch results ID}: the output (and error) file of a finished batch, written to
 * {@code --output} / {@code --errors}, or the output printed on stdout when no {@code --output} is given.
 */
@Command(
        name = "results",
        sortOptions = false,
        description = {
            "Download a finished batch's results: to --output (and its failed lines to --errors),",
            "or print the results on stdout (JSONL) when --output is not given."
        })
final class BatchResults extends ReportingCommand {

    @Parameters(paramLabel = "BATCH_ID", description = "The batch, e.g. batch_abc123.")
    String id;

    @Override
    public Integer call() {
        files.checkWritable();
        ApiClient api = sluice().client();
        JsonNode batch = api.get(BatchReport.path(id));
        if (!BatchReport.finished(batch)) {
            throw new CliException(
                    ExitCode.REJECTED,
                    id + " is " + BatchReport.status(batch)
                            + ": its results come when it ends. Follow it with: sluice batch wait " + id
                            + " --output results.jsonl");
        }
        if (files.output != null) {
            return report(api, batch);
        }
        try (LinesTo stdout = new LinesTo(out())) {
            ResultFiles.copy(api, batch.path("output_file_id"), stdout);
        }
        // stdout carries the results alone; what else there is to say goes to stderr.
        files.write(api, batch).forEach(err()::println);
        if (!json()) {
            err().println(BatchReport.summary(batch));
        }
        err().flush();
        return BatchReport.exitCode(batch).code();
    }

    /** Bytes to a writer, decoded as UTF-8 a line at a time (a line is never split inside a character). */
    static final class LinesTo extends OutputStream {

        private final PrintWriter writer;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LinesTo(PrintWriter writer) {
            this.writer = writer;
        }

        @Override
        public void write(int b) {
            line.write(b);
            if (b == '\n') {
                writer.print(line.toString(StandardCharsets.UTF_8));
                line.reset();
            }
        }

        @Override
        public void close() {
            if (line.size() > 0) {
                writer.println(line.toString(StandardCharsets.UTF_8));
                line.reset();
            }
            writer.flush();
        }
    }
}
