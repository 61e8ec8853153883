package dev.sluice.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.util.unit.DataSize;

class WorkerPropertiesTest {

    @Test
    void defaultsMatchTheProductContract() {
        WorkerProperties properties = bind(Map.of());

        assertThat(properties.upstream().baseUrl()).isEqualTo(URI.create("http://localhost:3010"));
        assertThat(properties.upstream().keys()).containsExactly("sk-local");
        assertThat(properties.pacing().safetyMargin()).isEqualTo(Duration.ofMillis(100));
        assertThat(properties.pacing().maxConcurrency()).isEqualTo(64);
        assertThat(properties.retry().maxAttempts()).isEqualTo(5);
        assertThat(properties.intake().discoveryInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(properties.intake().idleRelease()).isEqualTo(Duration.ofMinutes(5));
        assertThat(properties.lease().duration())
                .isGreaterThan(properties.upstream().readTimeout());
        assertThat(properties.upstream().maxResponseSize().toBytes()).isEqualTo(16L * 1024 * 1024);
    }

    @Test
    void bindsTheDocumentedEnvironmentVariables() {
        WorkerProperties properties = bind(Map.of(
                "SLUICE_UPSTREAM_BASE_URL", "http://simulator:3010/",
                "SLUICE_UPSTREAM_API_KEY", "sk-one",
                "SLUICE_UPSTREAM_API_KEYS", "sk-a, sk-b",
                "SLUICE_PACING_SAFETY_MARGIN", "250ms",
                "SLUICE_RETRY_MAX_ATTEMPTS", "3",
                "SLUICE_UPSTREAM_MAX_RESPONSE_SIZE", "64KB"));

        assertThat(properties.upstream().baseUrlText()).isEqualTo("http://simulator:3010");
        assertThat(properties.upstream().keys()).containsExactly("sk-a", "sk-b");
        assertThat(properties.pacing().safetyMargin()).isEqualTo(Duration.ofMillis(250));
        assertThat(properties.retry().maxAttempts()).isEqualTo(3);
        assertThat(properties.upstream().maxResponseSize().toBytes()).isEqualTo(64L * 1024);
    }

    @Test
    void keysNeverAppearInToString() {
        WorkerProperties properties = bind(Map.of(
                "SLUICE_UPSTREAM_API_KEY", "sk-secret-one",
                "SLUICE_UPSTREAM_API_KEYS", "sk-secret-two,sk-secret-three"));

        assertThat(properties.toString()).doesNotContain("sk-secret").contains("apiKey=***");
        assertThat(properties.upstream().toString()).doesNotContain("sk-secret");
    }

    @Test
    void refusesBadValuesNamingTheProperty() {
        assertRefused(
                () -> bind(Map.of("SLUICE_UPSTREAM_BASE_URL", "http://localhost:3010/v1")),
                "sluice.upstream.base-url is given without /v1");
        assertRefused(() -> bind(Map.of("SLUICE_UPSTREAM_BASE_URL", "localhost:3010")), "sluice.upstream.base-url");
        assertRefused(() -> bind(Map.of("SLUICE_UPSTREAM_API_KEY", " ")), "sluice.upstream.api-key");
        assertRefused(() -> bind(Map.of("SLUICE_PACING_MAX_CONCURRENCY", "0")), "sluice.pacing.max-concurrency");
        assertRefused(() -> bind(Map.of("SLUICE_PACING_SAFETY_MARGIN", "-1ms")), "sluice.pacing.safety-margin");
        assertRefused(() -> bind(Map.of("SLUICE_RETRY_MAX_ATTEMPTS", "0")), "sluice.retry.max-attempts");
        assertRefused(() -> bind(Map.of("SLUICE_RETRY_MAX_BACKOFF", "100ms")), "sluice.retry.max-backoff");
        assertRefused(() -> bind(Map.of("SLUICE_LEASE_DURATION", "60s")), "sluice.lease.duration");
        assertRefused(
                () -> bind(Map.of("SLUICE_UPSTREAM_MAX_RESPONSE_SIZE", "0B")), "sluice.upstream.max-response-size");
    }

    @Test
    void theJobsInFlightAreTheirOwnSettingAndThePoolBoundsOnlyTheJobsAtTheDatabase() {
        WorkerProperties defaults = bind(Map.of());
        assertThat(defaults.database().poolSize()).isEqualTo(24);
        assertThat(defaults.database().reservedConnections()).isEqualTo(6);
        assertThat(defaults.database().jobConnections()).isEqualTo(18);
        assertThat(defaults.maxJobsInFlight()).isEqualTo(128);

        WorkerProperties small = bind(Map.of(
                "SLUICE_DATABASE_POOL_SIZE", "4",
                "SLUICE_DATABASE_RESERVED_CONNECTIONS", "2",
                "SLUICE_INTAKE_MAX_IN_FLIGHT", "300"));
        assertThat(small.database().jobConnections()).isEqualTo(2);
        assertThat(small.maxJobsInFlight()).isEqualTo(300);

        assertRefused(() -> bind(Map.of("SLUICE_INTAKE_MAX_IN_FLIGHT", "0")), "sluice.intake.max-in-flight");
        assertRefused(
                () -> bind(Map.of("SLUICE_DATABASE_POOL_SIZE", "6")),
                "sluice.database.reserved-connections must be at least 1 and less than sluice.database.pool-size (6)");
        assertRefused(() -> bind(Map.of("SLUICE_DATABASE_POOL_SIZE", "1")), "sluice.database.pool-size");
    }

    @Test
    void aBlankKeyListFallsBackToTheSingleKey() {
        WorkerProperties.Upstream upstream = new WorkerProperties.Upstream(
                URI.create("http://localhost:3010"),
                "sk-local",
                List.of(" ", ""),
                Duration.ofSeconds(5),
                Duration.ofSeconds(120),
                false,
                DataSize.ofMegabytes(16));

        assertThat(upstream.keys()).containsExactly("sk-local");
    }

    private static void assertRefused(ThrowingCallable binding, String message) {
        assertThatThrownBy(binding).rootCause().hasMessageContaining(message);
    }

    @Test
    void webhookDefaultsAndEnvironmentVariables() {
        WorkerProperties.Webhook defaults = bind(Map.of()).webhook();
        assertThat(defaults.allowPrivate()).isFalse();
        assertThat(defaults.timeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(defaults.retrySchedule())
                .containsExactly(
                        Duration.ofSeconds(5),
                        Duration.ofMinutes(5),
                        Duration.ofMinutes(30),
                        Duration.ofHours(2),
                        Duration.ofHours(5),
                        Duration.ofHours(10),
                        Duration.ofHours(10));
        assertThat(defaults.maxInFlight()).isEqualTo(50);
        assertThat(defaults.maxInFlightPerTenant()).isEqualTo(5);

        WorkerProperties.Webhook set = bind(Map.of(
                        "SLUICE_WEBHOOK_ALLOW_PRIVATE", "true",
                        "SLUICE_WEBHOOK_RETRY_SCHEDULE", "1s,2m",
                        "SLUICE_WEBHOOK_MAX_IN_FLIGHT", "20",
                        "SLUICE_WEBHOOK_MAX_IN_FLIGHT_PER_TENANT", "2"))
                .webhook();
        assertThat(set.allowPrivate()).isTrue();
        assertThat(set.retrySchedule()).containsExactly(Duration.ofSeconds(1), Duration.ofMinutes(2));
        assertThat(set.maxInFlight()).isEqualTo(20);
        assertThat(set.maxInFlightPerTenant()).isEqualTo(2);

        assertRefused(() -> bind(Map.of("SLUICE_WEBHOOK_MAX_IN_FLIGHT", "0")), "sluice.webhook.max-in-flight");
        assertRefused(
                () -> bind(Map.of("SLUICE_WEBHOOK_MAX_IN_FLIGHT", "4", "SLUICE_WEBHOOK_MAX_IN_FLIGHT_PER_TENANT", "5")),
                "sluice.webhook.max-in-flight-per-tenant must be between 1 and sluice.webhook.max-in-flight (4)");
    }

    private static WorkerProperties bind(Map<String, Object> environment) {
        // Named as the real one, so that SLUICE_UPSTREAM_BASE_URL maps to sluice.upstream.base-url.
        var variables = new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, environment);
        ApplicationConversionService conversion = new ApplicationConversionService();
        Binder binder = new Binder(ConfigurationPropertySources.from(variables), null, conversion);
        return binder.bindOrCreate("sluice", Bindable.of(WorkerProperties.class));
    }
}
