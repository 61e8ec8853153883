package dev.sluice.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code sluice batch submit FILE.jsonl}: uploads the file ({@code POST /v1/files}, purpose {@code batch})
 * and creates a batch from it ({@code POST /v1/batches} with {@code input_file_id}), as OpenAI's own
 * workflow does; with {@code --wait} follows it to the end and writes its results.
 */
@Command(
        name = "submit",
        sortOptions = false,
        description = {
            "Upload FILE.jsonl (one request per line) and create a batch from it.",
            "With --wait, show its progress until it ends, then write --output and --errors."
        })
final class BatchSubmit extends WatchingCommand {

    @Parameters(paramLabel = "FILE.jsonl", description = "The batch input file, in OpenAI's format.")
    Path file;

    @Option(
            names = "--endpoint",
            order = 1,
            paramLabel = "PATH",
            description = "The endpoint of every request, e.g. /v1/chat/completions (default: the first line's url).")
    String endpoint;

    @Option(
            names = "--completion-window",
            order = 2,
            paramLabel = "WINDOW",
            defaultValue = "24h",
            description = "How long the batch may take (default ${DEFAULT-VALUE}; Sluice also accepts shorter).")
    String completionWindow;

    @Option(
            names = "--metadata",
            order = 3,
            paramLabel = "KEY=VALUE",
            description = "A metadata pair; repeat for more.")
    Map<String, String> metadata = new LinkedHashMap<>();

    @Option(
            names = {"-w", "--wait"},
            order = 4,
            description = "Follow the batch until it ends, then write its results.")
    boolean waitForEnd;

    @Override
    public Integer call() {
        if (files.any() && !waitForEnd) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--output and --errors are written when the batch ends: "
                            + "add --wait (or fetch them later with 'sluice batch results')");
        }
        BatchInput input = BatchInput.read(file);
        String batchEndpoint = input.endpoint(endpoint);
        files.checkWritable();
        ApiClient api = sluice().client();
        JsonNode uploaded = api.upload(file, "batch");
        ObjectNode body = ApiClient.JSON
                .createObjectNode()
                .put("input_file_id", uploaded.path("id").asString())
                .put("endpoint", batchEndpoint)
                .put("completion_window", completionWindow);
        if (!metadata.isEmpty()) {
            ObjectNode pairs = body.putObject("metadata");
            metadata.forEach(pairs::put);
        }
        JsonNode batch = api.post("/v1/batches", body);
        String id = BatchReport.id(batch);
        if (!waitForEnd) {
            if (json()) {
                printJson(batch);
            } else {
                out().println("Created " + id + " from " + file + " (" + input.requests() + " requests to "
                        + batchEndpoint + ", uploaded as " + uploaded.path("id").asString() + ").");
                out().println("Follow it: sluice batch wait " + id + " --output results.jsonl");
                out().flush();
            }
            return ExitCode.OK.code();
        }
        if (!json() && !watch.quiet) {
            err().println("Created " + id + " (" + input.requests() + " requests to " + batchEndpoint + ").");
            err().flush();
        }
        return followAndReport(api, batch);
    }
}
