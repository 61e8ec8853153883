package dev.sluice.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code sluice pause MODEL}: {@code POST /admin/pause}; no worker dispatches the model, its jobs wait. */
@Command(name = "pause", description = "Stop dispatching a model on every worker; its jobs wait in the queue.")
final class PauseCommand extends SluiceCommand {

    @Parameters(paramLabel = "MODEL", description = "The model, e.g. openai/gpt-4o-mini.")
    String model;

    @Override
    public Integer call() {
        return switchModel(
                this, "/admin/pause", model, "paused: its jobs wait in the queue. Resume with: sluice resume " + model);
    }

    /** Sends {@code {model}} to a pause or resume endpoint and says what it did. */
    static int switchModel(SluiceCommand command, String path, String model, String said) {
        JsonNode limit = command.sluice()
                .admin()
                .post(path, ApiClient.JSON.createObjectNode().put("model", model));
        if (command.json()) {
            command.printJson(limit);
        } else {
            command.out().println(Text.string(limit.path("model")) + " " + said);
            command.out().flush();
        }
        return ExitCode.OK.code();
    }
}
