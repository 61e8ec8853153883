package dev.sluice.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.BooleanSupplier;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code sluice}, the command-line client: batches over the OpenAI-compatible endpoints (so any
 * OpenAI-compatible Batch API will do), and the operator's commands over Sluice's {@code /admin}
 * API. Settings come from {@code SLUICE_URL}, {@code SLUICE_API_KEY} and {@code SLUICE_ADMIN_KEY},
 * or the flags of the same names; keys are never printed. docs/cli.md describes every command and
 * exit code.
 */
@Command(
        name = "sluice",
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = Sluice.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = "Submit and follow LLM batches on Sluice or any OpenAI-compatible Batch API, and operate Sluice.",
        subcommands = {
            BatchCommand.class,
            QueuesCommand.class,
            LimitsCommand.class,
            PauseCommand.class,
            ResumeCommand.class,
            UsageCommand.class,
            KeysCommand.class,
            AutoComplete.GenerateCompletion.class
        },
        footerHeading = "%nEnvironment:%n",
        footer = {
            "  SLUICE_URL        the API's address (default " + Sluice.DEFAULT_URL + ")",
            "  SLUICE_API_KEY    the key for batch commands",
            "  SLUICE_ADMIN_KEY  the admin key for queues, limits, pause, resume, usage, keys",
            "%nExit codes (docs/cli.md):",
            "  0 done: every line succeeded    1 lines failed, or the batch did",
            "  2 usage error    3 key refused    4 server unreachable    5 not found",
            "  6 request refused    7 server error"
        })
public final class Sluice {

    static final String DEFAULT_URL = "http://localhost:8080";

    @Option(
            names = "--url",
            order = 90,
            paramLabel = "URL",
            scope = ScopeType.INHERIT,
            description = "The API's address, without /v1 (env SLUICE_URL; default " + DEFAULT_URL + ").")
    private String url;

    @Option(
            names = "--api-key",
            order = 91,
            paramLabel = "KEY",
            scope = ScopeType.INHERIT,
            description = "The key for batch commands (env SLUICE_API_KEY; prefer the variable: flags show in ps).")
    private String apiKey;

    @Option(
            names = "--admin-key",
            order = 92,
            paramLabel = "KEY",
            scope = ScopeType.INHERIT,
            description = "The admin key for operator commands (env SLUICE_ADMIN_KEY).")
    private String adminKey;

    @Option(
            names = "--json",
            order = 93,
            scope = ScopeType.INHERIT,
            description = "Print the API's JSON objects, one per line, instead of text (for scripts).")
    private boolean json;

    private final Map<String, String> env;
    private final BooleanSupplier terminal;

    /** The command as {@code main} runs it, reading the process's environment. */
    public Sluice() {
        this(System.getenv(), Terminal::isInteractive);
    }

    Sluice(Map<String, String> env, BooleanSupplier terminal) {
        this.env = env;
        this.terminal = terminal;
    }

    /** Runs the command line and exits with its {@link ExitCode}. */
    public static void main(String[] args) {
        CommandLine commandLine = new Sluice().commandLine();
        // Results and JSON are UTF-8 whatever the locale says, so that a file piped from stdout is byte for byte
        // the server's (picocli would pick the default charset, UTF-8 since Java 18; this makes it explicit).
        commandLine.setOut(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true));
        commandLine.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
        System.exit(commandLine.execute(args));
    }

    /** The command line, with sluice's one-line error reporting and exit codes. */
    CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(this);
        commandLine.setExecutionExceptionHandler((failure, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            if (failure instanceof CliException known) {
                err.println("sluice: " + known.getMessage());
                err.flush();
                return known.exitCode().code();
            }
            err.println("sluice: unexpected failure (" + failure + "); please report it with the command you ran.");
            err.flush();
            return ExitCode.SERVER_ERROR.code();
        });
        commandLine.setParameterExceptionHandler((failure, args) -> {
            CommandLine cmd = failure.getCommandLine();
            String message = failure.getMessage().replaceAll("\\s+", " ").strip();
            cmd.getErr()
                    .println("sluice: " + message + (message.endsWith(".") ? "" : ".") + " See '"
                            + cmd.getCommandSpec().qualifiedName() + " --help'.");
            cmd.getErr().flush();
            return ExitCode.USAGE.code();
        });
        return commandLine;
    }

    /** A client with the API key, for the OpenAI-compatible endpoints. */
    ApiClient client() {
        return new ApiClient(baseUrl(), key(apiKey, "SLUICE_API_KEY", "--api-key"), "SLUICE_API_KEY or --api-key");
    }

    /** A client with the admin key, for {@code /admin}. */
    ApiClient admin() {
        return new ApiClient(
                baseUrl(), key(adminKey, "SLUICE_ADMIN_KEY", "--admin-key"), "SLUICE_ADMIN_KEY or --admin-key");
    }

    /** Whether {@code --json} was given. */
    boolean json() {
        return json;
    }

    /** Whether a person watches: stdin and stdout are a terminal. */
    boolean interactive() {
        return terminal.getAsBoolean();
    }

    /** {@code --url} or {@code SLUICE_URL}, without a trailing slash or {@code /v1}. */
    URI baseUrl() {
        String given = url != null ? url : setting("SLUICE_URL");
        String text = given == null ? DEFAULT_URL : given.strip();
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        if (text.endsWith("/v1")) {
            text = text.substring(0, text.length() - "/v1".length());
        }
        try {
            URI uri = new URI(text);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && uri.getHost() != null
                    && uri.getQuery() == null
                    && uri.getFragment() == null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // Reported below, as any other address that is not one.
        }
        throw new CliException(
                ExitCode.USAGE,
                (url != null ? "--url" : "SLUICE_URL") + " '" + given + "' is not an http(s) address; give one such as "
                        + DEFAULT_URL + ".");
    }

    private String key(String flag, String variable, String flagName) {
        String key = flag != null ? flag : setting(variable);
        if (key == null || key.isBlank()) {
            throw new CliException(ExitCode.USAGE, "no key given: set " + variable + " or pass " + flagName + ".");
        }
        return key.strip();
    }

    private String setting(String variable) {
        String value = env.get(variable);
        return value == null || value.isBlank() ? null : value;
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {

        @Override
        public String[] getVersion() {
            String version = Sluice.class.getPackage().getImplementationVersion();
            return new String[] {"sluice " + (version == null ? "(development build)" : version)};
        }
    }
}
