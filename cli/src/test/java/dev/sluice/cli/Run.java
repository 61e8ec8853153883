package dev.sluice.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/** Runs {@code sluice} in-process with a given environment, capturing what it prints. */
record Run(int exitCode, String out, String err) {

    static Run of(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var commandLine = new Sluice(env, () -> false).commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    static Run of(String... args) {
        return of(Map.of(), args);
    }

    /** The lines sluice printed on stderr. */
    List<String> errLines() {
        return err.lines().toList();
    }
}
