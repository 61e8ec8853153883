package dev.sluice.worker;

import dev.sluice.db.PersistenceConfiguration;
import java.time.InstantSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The worker: consumes every model's queue, runs each job against the provider at the model's pace,
 * stores the outcome and finalises batches. It never migrates the schema; it waits for the api-service
 * to have done so.
 */
@SpringBootApplication
@Import(PersistenceConfiguration.class)
@EnableConfigurationProperties(WorkerProperties.class)
public class WorkerApplication {

    public static void main(String[] args) {
        SpringApplication.run(WorkerApplication.class, args);
    }

    /** The one source of time for leases, pacing and retries; tests replace it. */
    @Bean
    InstantSource instantSource() {
        return InstantSource.system();
    }
}
