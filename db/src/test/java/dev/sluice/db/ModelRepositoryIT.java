package dev.sluice.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Limit;
import dev.sluice.db.model.ModelRepository;
import dev.sluice.db.model.ModelSettings;
import dev.sluice.testsupport.TestInfrastructure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(classes = DbTestApplication.class)
class ModelRepositoryIT {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
    }

    @Autowired
    ModelRepository models;

    @Test
    void aWidenedMarginIsSharedAndNeverNarrows() {
        String model = "test/" + UUID.randomUUID();
        models.register(List.of(model), NOW);

        models.widenMargin(model, Duration.ofMillis(500));
        models.widenMargin(model, Duration.ofMillis(200));

        assertThat(models.settings(model))
                .get()
                .extracting(ModelSettings::widenedMargin)
                .isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void theStricterOfConfiguredAndLearnedLimitsIsInForce() {
        String model = "test/" + UUID.randomUUID();
        models.configure(model, Limit.parse("20/60s"), 4, NOW);
        models.learn(model, Limit.parse("15/60s"), NOW);

        ModelSettings settings = models.settings(model).orElseThrow();

        assertThat(settings.effective(Limit.parse("100/60s"))).isEqualTo(Limit.parse("15/60s"));
        assertThat(settings.source(Limit.parse("100/60s"))).isEqualTo("learned");
        assertThat(settings.maxConcurrency()).isEqualTo(4);
    }
}
