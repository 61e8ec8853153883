package dev.sluice.cli;

import picocli.CommandLine.Command;
import tools.jackson.databind.JsonNode;

/** {@code sluice queues}: {@code GET /admin/queues}, one row per model saying why its work moves or not. */
@Command(
        name = "queues",
        description = "Show every model's queue: waiting, in flight, limit, paused, 429s, drain time.")
final class QueuesCommand extends SluiceCommand {

    @Override
    public Integer call() {
        JsonNode queues = sluice().admin().get("/admin/queues");
        if (json()) {
            printJson(queues);
            return ExitCode.OK.code();
        }
        Table table = new Table(
                "MODEL", "WAITING", "IN FLIGHT", "WORKERS", "LIMIT", "SOURCE", "PAUSED", "429s/1h", "OLDEST", "DRAIN");
        for (JsonNode queue : queues.path("data")) {
            table.row(
                    Text.string(queue.path("model")),
                    Text.string(queue.path("waiting")),
                    Text.string(queue.path("in_flight")),
                    Text.string(queue.path("consumers")),
                    Text.limit(
                            queue.path("limit").path("requests"),
                            queue.path("limit").path("per_seconds")),
                    Text.string(queue.path("limit_source")),
                    queue.path("paused").asBoolean(false) ? "yes" : "no",
                    Text.string(queue.path("rate_limited_last_hour")),
                    Text.seconds(queue.path("oldest_waiting_age_seconds")),
                    Text.seconds(queue.path("estimated_drain_seconds")));
        }
        if (table.isEmpty()) {
            out().println("No models yet: a model appears with its first job, or when an operator sets its limit.");
        } else {
            table.print(out());
        }
        out().flush();
        return ExitCode.OK.code();
    }
}
