package dev.sluice.worker;

import dev.sluice.common.Limit;
import dev.sluice.db.PersistenceConfiguration;
import java.time.InstantSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.convert.converter.Converter;

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

    /** Binds {@code sluice.default-limit=15/60s} to a {@link Limit}. Static: binding needs it before any bean. */
    @Bean
    @ConfigurationPropertiesBinding
    static Converter<String, Limit> limitConverter() {
        return new LimitConverter();
    }

    /** A class, not a lambda, so that the conversion service can read its generic types. */
    static final class LimitConverter implements Converter<String, Limit> {
        @Override
        public Limit convert(String source) {
            return Limit.parse(source);
        }
    }
}
