package dev.sluice.db;

import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;

/**
 * Imported by both services so that they run exactly the same SQL: registers every repository of
 * this module. The {@code DataSource}, {@code JdbcClient} and Flyway come from Spring Boot.
 */
@Configuration(proxyBeanMethods = false)
@ComponentScan(basePackageClasses = PersistenceConfiguration.class)
public class PersistenceConfiguration {
}
