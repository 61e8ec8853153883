package dev.sluice.testsupport;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The machine's own PostgreSQL and RabbitMQ, isolated per run by a new database and a new vhost
 * (both dropped at JVM exit). Host, port and credentials can be moved with {@code SLUICE_TEST_PG_*}
 * and {@code SLUICE_TEST_RABBIT_*}; the vhost is made with {@code rabbitmqctl}, which must be on
 * the PATH and allowed to talk to the broker (as it is on these machines).
 */
final class LocalServices {

    private LocalServices() {}

    static TestInfrastructure.Services start() {
        String name =
                "sluice_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String pgHost = env("SLUICE_TEST_PG_HOST", "127.0.0.1");
        String pgPort = env("SLUICE_TEST_PG_PORT", "5432");
        String pgUser = env("SLUICE_TEST_PG_USER", "postgres");
        String pgPassword = env("SLUICE_TEST_PG_PASSWORD", "");
        String admin = "jdbc:postgresql://" + pgHost + ":" + pgPort + "/postgres";
        execute(admin, pgUser, pgPassword, "CREATE DATABASE " + name);

        rabbitmqctl("add_vhost", name);
        String rabbitUser = env("SLUICE_TEST_RABBIT_USER", "guest");
        rabbitmqctl("set_permissions", "-p", name, rabbitUser, ".*", ".*", ".*");

        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            execute(admin, pgUser, pgPassword, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
                            rabbitmqctl("delete_vhost", name);
                        },
                        "drop-test-database"));

        return new TestInfrastructure.Services(
                new TestInfrastructure.Database(
                        "jdbc:postgresql://" + pgHost + ":" + pgPort + "/" + name, pgUser, pgPassword),
                new TestInfrastructure.Broker(
                        env("SLUICE_TEST_RABBIT_HOST", "127.0.0.1"),
                        Integer.parseInt(env("SLUICE_TEST_RABBIT_PORT", "5672")),
                        rabbitUser,
                        env("SLUICE_TEST_RABBIT_PASSWORD", "guest"),
                        name));
    }

    private static void execute(String url, String user, String password, String sql) {
        try (Connection connection = DriverManager.getConnection(url, user, password);
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "local PostgreSQL at " + url + " refused '" + sql + "': " + e.getMessage()
                            + " (is it running? see README, 'Running the tests')",
                    e);
        }
    }

    private static void rabbitmqctl(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("rabbitmqctl", "-q"));
        command.addAll(List.of(args));
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("'" + String.join(" ", command) + "' failed: " + output.strip());
            }
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot run rabbitmqctl to create a test vhost (is RabbitMQ installed " + "locally?): "
                            + e.getMessage(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running rabbitmqctl", e);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
