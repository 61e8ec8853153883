package dev.sluice.cli;

import java.time.LocalDate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/** {@code sluice usage}: {@code GET /admin/usage}, requests and tokens by UTC day, tenant and model. */
@Command(
        name = "usage",
        sortOptions = false,
        description = "Show requests and tokens by day, tenant and model (default: the last 7 days).")
final class UsageCommand extends SluiceCommand {

    @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "First day (UTC), inclusive.")
    LocalDate from;

    @Option(names = "--to", paramLabel = "YYYY-MM-DD", description = "Last day (UTC), inclusive; default today.")
    LocalDate to;

    @Option(names = "--tenant", paramLabel = "TENANT_ID", description = "Only this tenant (ten_...).")
    String tenant;

    @Option(names = "--model", paramLabel = "MODEL", description = "Only this model.")
    String model;

    @Override
    public Integer call() {
        StringBuilder query = new StringBuilder();
        append(query, "from", from == null ? null : from.toString());
        append(query, "to", to == null ? null : to.toString());
        append(query, "tenant", tenant);
        append(query, "model", model);
        JsonNode report = sluice().admin().get("/admin/usage" + query);
        if (json()) {
            printJson(report);
            return ExitCode.OK.code();
        }
        Table table = new Table(
                "DAY",
                "TENANT",
                "MODEL",
                "REQUESTS",
                "SUCCEEDED",
                "FAILED",
                "PROMPT TOKENS",
                "COMPLETION TOKENS",
                "TOTAL TOKENS",
                "CACHE HITS");
        for (JsonNode row : report.path("data")) {
            JsonNode name = row.path("tenant_name");
            table.row(
                    Text.string(row.path("day")),
                    Text.string(name.isString() ? name : row.path("tenant_id")),
                    Text.string(row.path("model")),
                    Text.string(row.path("requests")),
                    Text.string(row.path("succeeded")),
                    Text.string(row.path("failed")),
                    Text.string(row.path("prompt_tokens")),
                    Text.string(row.path("completion_tokens")),
                    Text.string(row.path("total_tokens")),
                    Text.string(row.path("cache_hits")));
        }
        JsonNode totals = report.path("totals");
        out().println("Usage " + Text.string(report.path("from")) + " to " + Text.string(report.path("to")) + ": "
                + Text.string(totals.path("requests")) + " requests, " + Text.string(totals.path("total_tokens"))
                + " tokens.");
        if (!table.isEmpty()) {
            table.print(out());
        }
        out().flush();
        return ExitCode.OK.code();
    }

    private static void append(StringBuilder query, String name, String value) {
        if (value != null) {
            query.append(query.isEmpty() ? '?' : '&').append(name).append('=').append(Text.segment(value));
        }
    }
}
