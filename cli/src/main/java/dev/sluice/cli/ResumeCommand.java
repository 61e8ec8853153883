package dev.sluice.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sluice resume MODEL}: {@code POST /admin/resume}; dispatch of the model starts again. */
@Command(name = "resume", description = "Start dispatching a paused model again.")
final class ResumeCommand extends SluiceCommand {

    @Parameters(paramLabel = "MODEL", description = "The model, e.g. openai/gpt-4o-mini.")
    String model;

    @Override
    public Integer call() {
        return PauseCommand.switchModel(this, "/admin/resume", model, "resumed: workers dispatch it again.");
    }
}
