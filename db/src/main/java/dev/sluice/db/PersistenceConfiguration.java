package dev.sluice.db;

import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;

/**
 * Imported by both services so that they run exactly the same SQL: registers every repository of this module.
 * The {@code DataSource}, {@code JdbcClient}, Flyway and the one transaction manager come from Spring Boot.
 *
 * <p>Every {@code *Repository} is SQL run with {@code JdbcClient} and works in both services. The
 * {@code *EntityRepository} classes (Spring Data JPA, for the api-service's reads and writes of tenants and API
 * keys, file metadata, webhook deliveries and rate-limit events) exist only where JPA is on the classpath, which
 * only the api-service puts there: see {@link JpaConfiguration} and docs/architecture.md, "Persistence".
 */
@Configuration(proxyBeanMethods = false)
@ComponentScan(basePackageClasses = PersistenceConfiguration.class)
public class PersistenceConfiguration {}
