package dev.sluice.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.db.file.FileRepository;
import dev.sluice.db.ratelimit.RateLimitEventRepository;
import dev.sluice.db.tenant.TenantRepository;
import dev.sluice.db.webhook.WebhookDeliveryRepository;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.TransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The worker runs without JPA (docs/architecture.md, "Persistence"): Hibernate is not on its classpath, its one
 * transaction manager is Spring Boot's JDBC one, and the SQL halves of the repositories the api-service also reads
 * with JPA are there, while their JPA halves are not.
 */
class PersistenceWithoutJpaIT extends WorkerIntegrationTest {

    @Autowired
    private ApplicationContext context;

    @Autowired
    private TransactionTemplate transaction;

    @Test
    void neitherJpaNorHibernateIsOnTheClasspath() {
        for (String name : new String[] {
            "jakarta.persistence.EntityManager",
            "org.hibernate.Session",
            "org.springframework.data.jpa.repository.JpaRepository"
        }) {
            assertThatThrownBy(() -> Class.forName(name)).as(name).isInstanceOf(ClassNotFoundException.class);
        }
    }

    @Test
    void theOneTransactionManagerIsJdbcsAndTransactionTemplateUsesIt() {
        assertThat(context.getBeansOfType(TransactionManager.class).values())
                .singleElement()
                .isInstanceOf(JdbcTransactionManager.class);
        assertThat(transaction.getTransactionManager()).isInstanceOf(JdbcTransactionManager.class);
    }

    @Test
    void theSqlRepositoriesAreThereAndTheEntityRepositoriesAreNot() {
        assertThat(context.getBeanNamesForType(TenantRepository.class)).hasSize(1);
        assertThat(context.getBeanNamesForType(FileRepository.class)).hasSize(1);
        assertThat(context.getBeanNamesForType(WebhookDeliveryRepository.class)).hasSize(1);
        assertThat(context.getBeanNamesForType(RateLimitEventRepository.class)).hasSize(1);
        assertThat(context.getBeanDefinitionNames())
                .noneMatch(name -> name.endsWith("EntityRepository")
                        || name.endsWith("Entities")
                        || name.equals("entityManagerFactory"));
    }
}
