package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

class SluiceTest {

    private static final Map<String, String> KEYS =
            Map.of("SLUICE_API_KEY", "sk-tenant-secret-1234", "SLUICE_ADMIN_KEY", "admin-secret-5678");

    @Test
    void helpListsEveryCommandAndTheExitCodesButNeverAKey() {
        for (String[] args : new String[][] {
            {"--help"}, {"batch", "submit", "--help"}, {"limits", "set", "--help"}, {"keys", "create", "--help"}
        }) {
            Run run = Run.of(KEYS, args);

            assertThat(run.exitCode()).isZero();
            assertThat(run.out())
                    .doesNotContain("sk-tenant-secret-1234")
                    .doesNotContain("admin-secret-5678")
                    .contains("SLUICE_API_KEY")
                    .contains("3 key refused");
        }
        assertThat(Run.of("--help").out())
                .contains("batch", "queues", "limits", "pause", "resume", "usage", "keys", "generate-completion");
        assertThat(Run.of("batch", "--help").out()).contains("submit", "list", "get", "wait", "cancel", "results");
    }

    @Test
    void aMissingInputFileIsOneLineAndExitFiveBeforeAnyCall() {
        // No server listens at this URL: the file is checked before anything is sent.
        Run run = Run.of(
                Map.of("SLUICE_API_KEY", "k", "SLUICE_URL", "http://127.0.0.1:9"),
                "batch",
                "submit",
                "no-such-requests.jsonl",
                "--wait");

        assertThat(run.exitCode()).isEqualTo(5);
        assertThat(run.errLines())
                .singleElement()
                .asString()
                .startsWith("sluice: no-such-requests.jsonl does not exist")
                .doesNotContain("Exception");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void usageErrorsAreOneLineWithExitTwo() {
        for (String[] args : new String[][] {
            {"batch", "submit"},
            {"batch", "frobnicate"},
            {"queues", "--bogus"},
            {"batch", "wait", "batch_x", "--poll-interval", "soon"},
            {"batch"},
            {"limits", "set", "m", "--requests", "5"},
            {"limits", "set", "m", "--requests", "5", "--per-seconds", "60", "--default"},
            {"usage", "--from", "yesterday"},
            {"batch", "submit", "requests.jsonl", "--output", "out.jsonl"}
        }) {
            Run run = Run.of(KEYS, args);

            assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(run.errLines())
                    .as(String.join(" ", args))
                    .singleElement()
                    .asString()
                    .startsWith("sluice: ")
                    .contains("--help");
        }
    }

    @Test
    void aCommandWithoutItsKeySaysWhichVariableToSet() {
        Run batch = Run.of("batch", "list");
        Run admin = Run.of(Map.of("SLUICE_API_KEY", "k"), "queues");

        assertThat(batch.exitCode()).isEqualTo(2);
        assertThat(batch.err()).isEqualTo("sluice: no key given: set SLUICE_API_KEY or pass --api-key.\n");
        assertThat(admin.exitCode()).isEqualTo(2);
        assertThat(admin.err()).isEqualTo("sluice: no key given: set SLUICE_ADMIN_KEY or pass --admin-key.\n");
    }

    @Test
    void globalOptionsWorkBeforeOrAfterTheCommandAndBeatTheEnvironment() {
        Sluice before = new Sluice(Map.of("SLUICE_URL", "http://env:1"), () -> false);
        new CommandLine(before).parseArgs("--url", "https://api.openai.com/v1/", "--json", "batch", "list");
        Sluice after = new Sluice(Map.of("SLUICE_URL", "http://env:1"), () -> false);
        new CommandLine(after).parseArgs("batch", "list", "--url", "http://sluice.internal:8080/", "--json");
        Sluice fromEnv = new Sluice(Map.of("SLUICE_URL", "http://env:1"), () -> false);
        new CommandLine(fromEnv).parseArgs("queues");

        assertThat(before.baseUrl()).hasToString("https://api.openai.com");
        assertThat(before.json()).isTrue();
        assertThat(after.baseUrl()).hasToString("http://sluice.internal:8080");
        assertThat(after.json()).isTrue();
        assertThat(fromEnv.baseUrl()).hasToString("http://env:1");
        assertThat(new Sluice(Map.of(), () -> false).baseUrl()).hasToString("http://localhost:8080");
    }

    @Test
    void anAddressThatIsNotHttpIsAUsageError() {
        Sluice sluice = new Sluice(Map.of("SLUICE_URL", "localhost:8080"), () -> false);

        assertThatThrownBy(sluice::baseUrl).isInstanceOfSatisfying(CliException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
            assertThat(e.getMessage()).contains("SLUICE_URL 'localhost:8080' is not an http(s) address");
        });
    }

    @Test
    void submitReadsItsOptions() {
        ParseResult parsed = new Sluice(Map.of(), () -> false)
                .commandLine()
                .parseArgs(
                        "batch",
                        "submit",
                        "requests.jsonl",
                        "--endpoint",
                        "/v1/embeddings",
                        "--metadata",
                        "team=search",
                        "--metadata",
                        "run=7",
                        "--wait",
                        "-o",
                        "out.jsonl",
                        "--errors",
                        "errors.jsonl",
                        "--poll-interval",
                        "500ms",
                        "-q");
        BatchSubmit submit = leaf(parsed);

        assertThat(submit.file).isEqualTo(Path.of("requests.jsonl"));
        assertThat(submit.endpoint).isEqualTo("/v1/embeddings");
        assertThat(submit.completionWindow).isEqualTo("24h");
        assertThat(submit.metadata).containsExactly(Map.entry("team", "search"), Map.entry("run", "7"));
        assertThat(submit.waitForEnd).isTrue();
        assertThat(submit.files.output).isEqualTo(Path.of("out.jsonl"));
        assertThat(submit.files.errors).isEqualTo(Path.of("errors.jsonl"));
        assertThat(submit.watch.interval).isEqualTo(Duration.ofMillis(500));
        assertThat(submit.watch.quiet).isTrue();
    }

    @Test
    void limitsSetReadsAFractionalWindow() {
        ParseResult parsed = new Sluice(Map.of(), () -> false)
                .commandLine()
                .parseArgs(
                        "limits",
                        "set",
                        "openai/gpt-4o-mini",
                        "--requests",
                        "500",
                        "--per-seconds",
                        "1.5",
                        "--max-concurrency",
                        "20");
        LimitsCommand.Set set = leaf(parsed);

        assertThat(set.model).isEqualTo("openai/gpt-4o-mini");
        assertThat(set.requests).isEqualTo(500);
        assertThat(set.perSeconds).isEqualByComparingTo(new BigDecimal("1.5"));
        assertThat(set.maxConcurrency).isEqualTo(20);
        assertThat(set.useDefault).isFalse();
    }

    @Test
    void theCompletionScriptCoversTheCommands() {
        Run run = Run.of("generate-completion");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("complete -F _complete_sluice", "batch submit", "--poll-interval", "limits set");
    }

    @Test
    void exitCodesKeepTheirDocumentedNumbers() {
        assertThat(ExitCode.values()).extracting(ExitCode::code).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    }

    @SuppressWarnings("unchecked")
    private static <T> T leaf(ParseResult parsed) {
        ParseResult last = parsed;
        while (last.hasSubcommand()) {
            last = last.subcommand();
        }
        return (T) last.commandSpec().userObject();
    }
}
