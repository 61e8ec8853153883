package dev.sluice.api;

import dev.sluice.db.PersistenceConfiguration;
import java.time.Clock;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The Sluice REST API: accepts batches and single jobs, stores them in PostgreSQL, publishes their
 * ids to one RabbitMQ queue per model, and serves their state and results. Stateless, so any number
 * of replicas can run behind a load balancer. It also runs the Flyway migrations on start.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@Import(PersistenceConfiguration.class)
public class ApiApplication {

    public static void main(String[] args) {
        SpringApplication.run(ApiApplication.class, args);
    }

    /** The only source of "now" in this service, so that tests can move time instead of waiting. */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
