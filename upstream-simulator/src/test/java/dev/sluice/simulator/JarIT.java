package dev.sluice.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The fat jar (built in the package phase, before failsafe runs) starts with {@code java -jar} and serves. */
class JarIT {

    private static final Path JAR = Path.of("target", "upstream-simulator.jar");
    private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+) .*limit=15/6s .*latency_ms=0");

    @Test
    void startsFromTheEnvironmentAndServes() throws Exception {
        assertThat(JAR).exists();
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(javaCommand, "-jar", JAR.toString()).redirectErrorStream(true);
        builder.environment().put("SERVER_PORT", "0");
        builder.environment().put("SIMULATOR_LIMIT", "15/6s");
        builder.environment().put("SIMULATOR_LATENCY_MS", "0");
        Process process = builder.start();
        try {
            AtomicReference<String> baseUrl = new AtomicReference<>();
            AtomicReference<String> warmedUp = new AtomicReference<>();
            Thread.ofVirtual().start(() -> {
                try (var lines =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = lines.readLine()) != null; ) {
                        Matcher m = LISTENING.matcher(line);
                        if (m.find()) {
                            baseUrl.set(m.group(1));
                        }
                        if (line.startsWith("upstream-simulator warmed up")) {
                            warmedUp.set(line);
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            await().atMost(Duration.ofSeconds(20)).until(() -> baseUrl.get() != null && warmedUp.get() != null);
            assertThat(warmedUp.get())
                    .as("it warms up on a throwaway instance before it listens (Warmup)")
                    .contains("300 requests")
                    .contains("100 rate-limited");
            HttpResponse<String> stats = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(baseUrl.get() + "/__stats"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(stats.body()).as("none of the warm-up counts here").contains("\"requests\":0,");

            HttpResponse<String> models = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(baseUrl.get() + "/v1/models"))
                                    .header("Authorization", "Bearer sk-test")
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(models.statusCode()).isEqualTo(200);
            assertThat(models.body()).contains("\"anthropic/claude-3-5-haiku\"");
        } finally {
            process.destroy();
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.exists(JAR)).isTrue();
        }
    }
}
