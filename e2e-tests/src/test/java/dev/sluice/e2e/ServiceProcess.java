package dev.sluice.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One of Sluice's runnable jars started as a real child process, on a free port, with its output in
 * {@code target/e2e-logs/<name>.log}. Started and stopped as an operator would: {@code java -jar}
 * with environment variables, SIGTERM to stop, SIGKILL to simulate a crash.
 */
final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Process process;
    private final int port;
    private final Path log;

    private ServiceProcess(String name, Process process, int port, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts {@code <module>/target/<module>.jar} with {@code env} plus {@code SERVER_PORT}. */
    static ServiceProcess start(String name, String module, Map<String, String> env) {
        Path root = Path.of(System.getProperty("sluice.root", ".."))
                .toAbsolutePath()
                .normalize();
        Path jar = root.resolve(module).resolve("target").resolve(module + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it first (./mvnw package)");
        }
        int port = freePort();
        Path logs = Path.of(System.getProperty("sluice.logs", "target/e2e-logs"));
        try {
            Files.createDirectories(logs);
            Path log = logs.resolve(name + ".log");
            String java = ProcessHandle.current().info().command().orElse("java");
            ProcessBuilder builder = new ProcessBuilder(
                            List.of(java, "-Xmx512m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(env);
            builder.environment().put("SERVER_PORT", Integer.toString(port));
            Process process = builder.start();
            // A test JVM that is killed must not leave services running behind it.
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "stop-" + name));
            return new ServiceProcess(name, process, port, log);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    /** {@code http://127.0.0.1:<port>}. */
    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Blocks until {@code path} answers 200, or fails with the tail of the log. */
    ServiceProcess awaitReady(String path, Duration timeout) {
        try {
            Awaitility.await(name + " ready")
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException(
                                    name + " exited with " + process.exitValue() + ":\n" + tail());
                        }
                        return HTTP.send(
                                                HttpRequest.newBuilder(baseUrl().resolve(path))
                                                        .timeout(Duration.ofSeconds(2))
                                                        .build(),
                                                HttpResponse.BodyHandlers.discarding())
                                        .statusCode()
                                == 200;
                    });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException(name + " not ready after " + timeout + ":\n" + tail(), e);
        }
        return this;
    }

    /** SIGKILL: the process gets no chance to finish anything. */
    void kill() {
        process.destroyForcibly();
        waitFor();
    }

    /** The last lines of the process's output, for failure messages. */
    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM without waiting, so that several processes can shut down at the same time. */
    void signalStop() {
        process.destroy();
    }

    /** SIGTERM, then waits for the process to exit (SIGKILL after 20 s). */
    @Override
    public void close() {
        process.destroy();
        waitFor();
    }

    private void waitFor() {
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
