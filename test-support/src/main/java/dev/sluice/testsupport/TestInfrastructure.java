package dev.sluice.testsupport;

import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.testcontainers.DockerClientFactory;

/**
 * The PostgreSQL and RabbitMQ every integration test talks to, started once per test JVM.
 *
 * <p>With a Docker engine, Testcontainers starts both; without one (as on the CI machines), the
 * locally running services are used, each run getting a database and a vhost of its own that are
 * dropped when the JVM exits, so that parallel or repeated runs never see each other's rows or
 * queues. {@code SLUICE_TEST_INFRA=local|containers} forces one or the other.
 */
public final class TestInfrastructure {

    private static final Logger log = LoggerFactory.getLogger(TestInfrastructure.class);

    private static volatile Services services;

    private TestInfrastructure() {}

    /** The database for this run. */
    public static Database database() {
        return services().database();
    }

    /** The broker (and vhost) for this run. */
    public static Broker broker() {
        return services().broker();
    }

    /** Points a Spring test context at this run's database and broker. */
    public static void register(DynamicPropertyRegistry registry) {
        Database db = database();
        Broker broker = broker();
        registry.add("spring.datasource.url", db::jdbcUrl);
        registry.add("spring.datasource.username", db::username);
        registry.add("spring.datasource.password", db::password);
        registry.add("spring.rabbitmq.host", broker::host);
        registry.add("spring.rabbitmq.port", broker::port);
        registry.add("spring.rabbitmq.username", broker::username);
        registry.add("spring.rabbitmq.password", broker::password);
        registry.add("spring.rabbitmq.virtual-host", broker::virtualHost);
    }

    /** The same settings as environment variables, for services started as child processes. */
    public static Map<String, String> environment() {
        Database db = database();
        Broker broker = broker();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SPRING_DATASOURCE_URL", db.jdbcUrl());
        env.put("SPRING_DATASOURCE_USERNAME", db.username());
        env.put("SPRING_DATASOURCE_PASSWORD", db.password());
        env.put("SPRING_RABBITMQ_HOST", broker.host());
        env.put("SPRING_RABBITMQ_PORT", Integer.toString(broker.port()));
        env.put("SPRING_RABBITMQ_USERNAME", broker.username());
        env.put("SPRING_RABBITMQ_PASSWORD", broker.password());
        env.put("SPRING_RABBITMQ_VIRTUAL_HOST", broker.virtualHost());
        return env;
    }

    private static Services services() {
        Services current = services;
        if (current == null) {
            synchronized (TestInfrastructure.class) {
                current = services;
                if (current == null) {
                    current = start();
                    services = current;
                }
            }
        }
        return current;
    }

    private static Services start() {
        String forced = System.getenv().getOrDefault("SLUICE_TEST_INFRA", "");
        boolean containers = switch (forced) {
            case "local" -> false;
            case "containers" -> true;
            default -> dockerAvailable();
        };
        Services started = containers ? ContainerServices.start() : LocalServices.start();
        log.info(
                "Integration tests use {}: database {}, vhost {}",
                containers ? "Testcontainers" : "local services",
                started.database().jdbcUrl(),
                started.broker().virtualHost());
        return started;
    }

    private static boolean dockerAvailable() {
        // Without DOCKER_HOST or a local socket there is no engine to find: skip Testcontainers'
        // probe, which logs a long ERROR before saying so.
        if (System.getenv("DOCKER_HOST") == null
                && !java.nio.file.Files.exists(java.nio.file.Path.of("/var/run/docker.sock"))) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** Connection facts of a PostgreSQL database. */
    public record Database(String jdbcUrl, String username, String password) {}

    /** Connection facts of a RabbitMQ vhost. */
    public record Broker(String host, int port, String username, String password, String virtualHost) {}

    record Services(Database database, Broker broker) {}
}
