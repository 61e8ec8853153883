package dev.sluice.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** What every leaf command shares: the root's settings, its output streams, and {@code --json} printing. */
@Command
abstract class SluiceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    final Sluice sluice() {
        return (Sluice) spec.root().userObject();
    }

    final PrintWriter out() {
        return spec.commandLine().getOut();
    }

    final PrintWriter err() {
        return spec.commandLine().getErr();
    }

    final boolean json() {
        return sluice().json();
    }

    /** One JSON object on one line, for scripts ({@code --json}). */
    final void printJson(JsonNode node) {
        out().println(ApiClient.JSON.writeValueAsString(node));
        out().flush();
    }
}
