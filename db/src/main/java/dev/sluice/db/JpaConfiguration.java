package dev.sluice.db;

import jakarta.persistence.EntityManager;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.persistence.autoconfigure.EntityScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.PropertySource;
import org.springframework.data.jpa.repository.config.EnableJpaRepositories;

/**
 * The JPA half of this module, present only where Spring Data JPA is on the classpath: the api-service declares
 * it, the worker does not (its start cost, docs/benchmarks.md, "Start time and heap: JPA"). Scans the entities and
 * the Spring Data interfaces behind the {@code *EntityRepository} classes, each of which carries the same condition.
 *
 * <p>With JPA present Spring Boot's one transaction manager is a {@code JpaTransactionManager}, which binds its
 * JDBC connection to the transaction, so {@code JdbcClient}, {@code TransactionTemplate}, COPY and the JPA
 * repositories all run in the same transaction; without it, a {@code DataSourceTransactionManager} serves the
 * SQL alone. {@code sluice-persistence.properties} turns off what JPA would otherwise do on its own: Flyway owns
 * the schema, and no session stays open across a web request.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(EntityManager.class)
@EntityScan(basePackageClasses = JpaConfiguration.class)
@EnableJpaRepositories(basePackageClasses = JpaConfiguration.class)
@PropertySource("classpath:sluice-persistence.properties")
class JpaConfiguration {}
