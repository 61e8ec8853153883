package dev.sluice.cli;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code sluice limits get|set}: {@code /admin/limits}, each model's limit in force and the operator's override. */
@Command(
        name = "limits",
        description = "Show or set the per-model rate limits the workers pace at.",
        subcommands = {LimitsCommand.Get.class, LimitsCommand.Set.class})
final class LimitsCommand {

    /** {@code limits get [MODEL]}. */
    @Command(name = "get", description = "Show every model's limit, or one model's.")
    static final class Get extends SluiceCommand {

        @Parameters(paramLabel = "MODEL", arity = "0..1", description = "Only this model.")
        String model;

        @Override
        public Integer call() {
            JsonNode limits = sluice().admin().get("/admin/limits");
            JsonNode defaultLimit = limits.path("default_limit");
            String fallback = Text.limit(defaultLimit.path("requests"), defaultLimit.path("per_seconds"));
            JsonNode only = null;
            for (JsonNode entry : limits.path("data")) {
                if (entry.path("model").asString("").equals(model)) {
                    only = entry;
                }
            }
            if (json()) {
                printJson(only != null ? only : limits);
                return ExitCode.OK.code();
            }
            if (model != null && only == null) {
                out().println(model + " has no settings of its own: the default limit " + fallback + " applies.");
                out().flush();
                return ExitCode.OK.code();
            }
            Table table =
                    new Table("MODEL", "LIMIT", "SOURCE", "ALL LIMITS (SOURCE, USED)", "MAX CONCURRENCY", "PAUSED");
            for (JsonNode entry : limits.path("data")) {
                if (only == null || entry == only) {
                    table.row(
                            Text.string(entry.path("model")),
                            Text.limit(entry.path("requests"), entry.path("per_seconds")),
                            Text.string(entry.path("source")),
                            limitSet(entry.path("limits")),
                            Text.string(entry.path("max_concurrency")),
                            entry.path("paused").asBoolean(false) ? "yes" : "no");
                }
            }
            if (only == null) {
                out().println("Default limit (SLUICE_DEFAULT_LIMIT): " + fallback);
            }
            if (!table.isEmpty()) {
                table.print(out());
            }
            out().flush();
            return ExitCode.OK.code();
        }
    }

    /** Every limit of a set, {@code 15/60s (configured, 3 used), 30000 tokens/60s (learned, 1200 used)}. */
    static String limitSet(JsonNode limits) {
        List<String> written = new ArrayList<>();
        for (JsonNode limit : limits) {
            String amount = limit.has("tokens")
                    ? limit.path("tokens").asLong() + " tokens/"
                            + limit.path("per_seconds")
                                    .decimalValue()
                                    .stripTrailingZeros()
                                    .toPlainString() + "s"
                    : Text.limit(limit.path("requests"), limit.path("per_seconds"));
            written.add(amount + " (" + Text.string(limit.path("source")) + ", "
                    + limit.path("used").asLong() + " used)");
        }
        return written.isEmpty() ? "-" : String.join(", ", written);
    }

    /**
     * {@code limits set MODEL --requests N --per-seconds W [--max-concurrency C]}, {@code --limits "15/60s, 30000
     * tokens/1m"}, or {@code --default}.
     */
    @Command(
            name = "set",
            sortOptions = false,
            description = {
                "Set a model's limit on every worker within a second. This replaces the model's limit and cap:",
                "without --max-concurrency the model has no cap. --default returns it to the default limit."
            })
    static final class Set extends SluiceCommand {

        @Parameters(paramLabel = "MODEL", description = "The model, e.g. openai/gpt-4o-mini.")
        String model;

        @Option(names = "--requests", paramLabel = "N", description = "Requests per window.")
        Integer requests;

        @Option(names = "--per-seconds", paramLabel = "W", description = "The window in seconds, e.g. 60 or 1.5.")
        BigDecimal perSeconds;

        @Option(
                names = "--limits",
                paramLabel = "SET",
                description =
                        "Every window at once, as SLUICE_DEFAULT_LIMIT is written: \"15/60s, 1000/1d, 30000 tokens/1m\".")
        String limitSet;

        @Option(names = "--max-concurrency", paramLabel = "C", description = "Most requests in flight at once per key.")
        Integer maxConcurrency;

        @Option(names = "--default", description = "Drop the configured limit: the default (or learned) one applies.")
        boolean useDefault;

        @Override
        public Integer call() {
            boolean limitGiven = requests != null && perSeconds != null;
            boolean noneGiven = requests == null && perSeconds == null;
            int forms = (useDefault ? 1 : 0) + (limitSet != null ? 1 : 0) + (limitGiven ? 1 : 0);
            if (forms != 1 || (!limitGiven && !noneGiven)) {
                throw new ParameterException(
                        spec.commandLine(), "Give --requests and --per-seconds together, or --limits, or --default");
            }
            ObjectNode body = ApiClient.JSON.createObjectNode().put("model", model);
            if (useDefault) {
                body.putNull("requests").putNull("per_seconds");
            } else if (limitSet != null) {
                body.put("limits", limitSet);
            } else {
                body.put("requests", requests).put("per_seconds", perSeconds);
            }
            if (maxConcurrency != null) {
                body.put("max_concurrency", maxConcurrency);
            }
            JsonNode limit = sluice().admin().put("/admin/limits", body);
            if (json()) {
                printJson(limit);
            } else {
                JsonNode cap = limit.path("max_concurrency");
                out().println(Text.string(limit.path("model")) + ": "
                        + (limit.path("limits").size() > 1
                                ? limitSet(limit.path("limits"))
                                : Text.limit(limit.path("requests"), limit.path("per_seconds")) + " ("
                                        + Text.string(limit.path("source")) + ")")
                        + ", "
                        + (cap.isNumber() ? "max concurrency " + cap.asInt() : "no concurrency cap")
                        + ". Workers apply it within a second.");
                out().flush();
            }
            return ExitCode.OK.code();
        }
    }
}
