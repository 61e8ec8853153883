package dev.sluice.testsupport;

import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.rabbitmq.RabbitMQContainer;

/** Fresh PostgreSQL and RabbitMQ containers, reaped by Testcontainers when the JVM exits. */
final class ContainerServices {

    private ContainerServices() {}

    @SuppressWarnings("resource")
    static TestInfrastructure.Services start() {
        var postgres = new PostgreSQLContainer("postgres:15-alpine").withDatabaseName("sluice");
        var rabbit = new RabbitMQContainer("rabbitmq:4-management-alpine");
        postgres.start();
        rabbit.start();
        return new TestInfrastructure.Services(
                new TestInfrastructure.Database(postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword()),
                new TestInfrastructure.Broker(
                        rabbit.getHost(),
                        rabbit.getAmqpPort(),
                        rabbit.getAdminUsername(),
                        rabbit.getAdminPassword(),
                        "/"));
    }
}
