package dev.sluice.db;

import org.springframework.boot.persistence.autoconfigure.EntityScan;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.PropertySource;
import org.springframework.data.jpa.repository.config.EnableJpaRepositories;

/**
 * Imported by both services so that they run exactly the same SQL: registers every repository of
 * this module. The {@code DataSource}, {@code JdbcClient}, Flyway and the one transaction manager come from
 * Spring Boot: with Spring Data JPA on the classpath that is a {@code JpaTransactionManager}, which binds its
 * JDBC connection to the transaction, so {@code JdbcClient}, {@code TransactionTemplate}, COPY and the JPA
 * repositories all run in the same transaction (docs/architecture.md, "Persistence").
 *
 * <p>JPA is used for the entity-shaped tables off the hot path (tenants and API keys, file metadata, webhook
 * deliveries, rate-limit events); every statement on jobs, batches and pacing, and every conditional update,
 * is SQL run with {@code JdbcClient}. {@code sluice-persistence.properties} turns off what JPA would otherwise
 * do on its own: Flyway owns the schema, and no session stays open across a web request.
 */
@Configuration(proxyBeanMethods = false)
@ComponentScan(basePackageClasses = PersistenceConfiguration.class)
@EntityScan(basePackageClasses = PersistenceConfiguration.class)
@EnableJpaRepositories(basePackageClasses = PersistenceConfiguration.class)
@PropertySource("classpath:sluice-persistence.properties")
public class PersistenceConfiguration {
}
