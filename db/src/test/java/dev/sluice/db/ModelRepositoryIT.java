package dev.sluice.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.common.Limit;
import dev.sluice.db.model.ModelRepository;
import dev.sluice.db.model.ModelSettings;
import dev.sluice.testsupport.TestInfrastructure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
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

    @Autowired
    JdbcClient jdbc;

    @Test
    void registeringStoresEachModelOnceAndKeepsWhenItWasFirstSeen() {
        String a = "test/" + UUID.randomUUID();
        String b = "test/" + UUID.randomUUID();
        models.register(List.of(a), NOW);

        models.register(List.of(b, a, b), NOW.plusSeconds(60));

        assertThat(jdbc.sql("SELECT model, first_seen_at FROM models WHERE model IN (:a, :b) ORDER BY first_seen_at")
                        .param("a", a)
                        .param("b", b)
                        .query((rs, n) -> rs.getString("model") + " "
                                + rs.getTimestamp("first_seen_at").toInstant())
                        .list())
                .containsExactly(a + " " + NOW, b + " " + NOW.plusSeconds(60));
    }

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
    void configuredLimitsReplaceTheDefaultAndLearnedOnesJoinThem() {
        String model = "test/" + UUID.randomUUID();
        List<Limit> defaults = List.of(Limit.parse("100/60s"));
        models.configure(model, List.of(Limit.parse("30/45s"), Limit.parse("3000 tokens/6s")), 4, 40, NOW);
        models.learn(model, Limit.parse("2/3s"), NOW);
        models.learn(model, Limit.parse("5/3s"), NOW.plusSeconds(1));
        models.learn(model, Limit.parse("2500 tokens/6s"), NOW);

        ModelSettings settings = models.settings(model).orElseThrow();

        assertThat(settings.limits(defaults).entries())
                .extracting(e -> e.limit().toString(), e -> e.source().wireName())
                .containsExactlyInAnyOrder(
                        tuple("30/45s", "configured"),
                        tuple("3000 tokens/6s", "configured"),
                        tuple("5/3s", "learned"),
                        tuple("2500 tokens/6s", "learned"));
        assertThat(settings.maxConcurrency()).isEqualTo(4);
        assertThat(settings.defaultMaxTokens()).isEqualTo(40);
        assertThat(models.settings()).filteredOn(s -> s.model().equals(model)).containsExactly(settings);
    }

    @Test
    void clearingTheConfiguredLimitsGoesBackToTheDefaultAndResetsTheWidenedMargin() {
        String model = "test/" + UUID.randomUUID();
        models.configure(model, List.of(Limit.parse("30/45s")), null, null, NOW);
        models.widenMargin(model, Duration.ofMillis(500));

        models.configure(model, List.of(), null, null, NOW);

        ModelSettings settings = models.settings(model).orElseThrow();
        assertThat(settings.limits(List.of(Limit.parse("100/60s"))).entries())
                .extracting(e -> e.limit().toString(), e -> e.source().wireName())
                .containsExactly(tuple("100/60s", "default"));
        assertThat(settings.widenedMargin()).isNull();
    }

    @Test
    void severalModelsSettingsAreReadInOneGoAsOneByOne() {
        String limited = "test/" + UUID.randomUUID();
        String plain = "test/" + UUID.randomUUID();
        models.configure(limited, List.of(Limit.parse("30/45s"), Limit.parse("3000 tokens/6s")), 4, 40, NOW);
        models.learn(limited, Limit.parse("5/3s"), NOW);
        models.register(List.of(plain), NOW);
        models.setPaused(plain, true, NOW);

        Map<String, ModelSettings> read = models.settingsOf(List.of(limited, plain, "test/never-seen"));

        assertThat(read).containsOnlyKeys(limited, plain);
        assertThat(read.get(limited)).isEqualTo(models.settings(limited).orElseThrow());
        assertThat(read.get(plain)).isEqualTo(models.settings(plain).orElseThrow());
        assertThat(read.get(plain).paused()).isTrue();
        assertThat(read.get(limited).configured()).hasSize(2);
        assertThat(models.settingsOf(List.of())).isEmpty();
    }

    @Test
    void thePromptTokenRatioIsStored() {
        String model = "test/" + UUID.randomUUID();
        models.register(List.of(model), NOW);

        models.setPromptTokenRatio(model, 1.25);

        assertThat(models.settings(model).orElseThrow().promptTokenRatio()).isEqualTo(1.25);
    }
}
