package dev.sluice.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Ids;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.model.AllowedModelRepository;
import dev.sluice.db.model.AllowedModelRepository.Source;
import dev.sluice.db.model.ModelRepository;
import dev.sluice.db.tenant.TenantEntityRepository;
import dev.sluice.testsupport.TestInfrastructure;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/** The stored half of the model registry, and which models have work for a worker to dispatch. */
@SpringBootTest(classes = DbTestApplication.class)
class AllowedModelsIT {

    private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
    }

    @Autowired
    AllowedModelRepository allowed;

    @Autowired
    ModelRepository models;

    @Autowired
    JobRepository jobs;

    @Autowired
    TenantEntityRepository tenants;

    @Autowired
    TransactionTemplate transaction;

    @Autowired
    JdbcClient jdbc;

    @Test
    void theProvidersListIsReplacedWholeAndOperatorsModelsAreKeptApart() {
        String kept = "p/" + Ids.random(4);
        String dropped = "p/" + Ids.random(4);
        String operators = "o/" + Ids.random(4);
        assertThat(allowed.allow(operators, NOW)).isTrue();
        assertThat(allowed.allow(operators, NOW)).isFalse();

        transaction.executeWithoutResult(status -> allowed.replaceProviderList(List.of(kept, dropped), NOW));
        transaction.executeWithoutResult(status -> allowed.replaceProviderList(List.of(kept, operators), NOW));

        assertThat(allowed.models(Source.PROVIDER)).contains(kept, operators).doesNotContain(dropped);
        assertThat(allowed.models(Source.OPERATOR)).contains(operators).doesNotContain(kept);
        assertThat(allowed.disallow(operators)).isTrue();
        assertThat(allowed.disallow(operators)).isFalse();
        assertThat(allowed.models(Source.PROVIDER)).as("still listed").contains(operators);
    }
}
