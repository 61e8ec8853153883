package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.util.unit.DataSize;

/** The quota and retention settings bind from the environment variables docs/tenants.md names, with its defaults. */
class QuotaSettingsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        ApiProperties properties = bind(Map.of());
        assertThat(properties.quota().queuedJobs()).isEqualTo(1_000_000);
        assertThat(properties.quota().storedBytes()).isEqualTo(DataSize.ofGigabytes(10));
        assertThat(properties.quota().eventStreams()).isEqualTo(100);
        assertThat(properties.quota().waitingFacadeCalls()).isEqualTo(256);
        assertThat(properties.quota().leaseDuration()).isEqualTo(Duration.ofSeconds(60));
        assertThat(properties.retention()).isEqualTo(Duration.ofDays(30));
        assertThat(properties.retentionSweep().interval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(properties.retentionSweep().chunkSize()).isEqualTo(1000);
    }

    @Test
    void theDocumentedVariablesSetThem() {
        ApiProperties properties = bind(Map.of(
                "SLUICE_QUOTA_QUEUED_JOBS", "500",
                "SLUICE_QUOTA_STORED_BYTES", "20MB",
                "SLUICE_QUOTA_EVENT_STREAMS", "3",
                "SLUICE_QUOTA_WAITING_FACADE_CALLS", "4",
                "SLUICE_QUOTA_LEASE_DURATION", "30s",
                "SLUICE_RETENTION", "7d",
                "SLUICE_RETENTION_SWEEP_INTERVAL", "10s",
                "SLUICE_RETENTION_SWEEP_CHUNK_SIZE", "50",
                "SLUICE_RETENTION_SWEEP_MAX_CHUNKS", "5"));
        assertThat(properties.quota().queuedJobs()).isEqualTo(500);
        assertThat(properties.quota().storedBytes()).isEqualTo(DataSize.ofMegabytes(20));
        assertThat(properties.quota().eventStreams()).isEqualTo(3);
        assertThat(properties.quota().waitingFacadeCalls()).isEqualTo(4);
        assertThat(properties.quota().leaseDuration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(properties.retention()).isEqualTo(Duration.ofDays(7));
        assertThat(properties.retentionSweep().interval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(properties.retentionSweep().chunkSize()).isEqualTo(50);
        assertThat(properties.retentionSweep().maxChunks()).isEqualTo(5);
        assertThat(bind(Map.of("SLUICE_RETENTION", "0")).retentionEnabled()).isFalse();
    }

    @Test
    void aNegativeQuotaOrRetentionStopsTheService() {
        assertThatThrownBy(() -> bind(Map.of("SLUICE_QUOTA_QUEUED_JOBS", "-1")))
                .isInstanceOf(BindException.class)
                .rootCause()
                .hasMessageContaining("SLUICE_QUOTA_QUEUED_JOBS");
        assertThatThrownBy(() -> bind(Map.of("SLUICE_RETENTION", "-1d")))
                .isInstanceOf(BindException.class)
                .rootCause()
                .hasMessageContaining("SLUICE_RETENTION");
    }

    private static ApiProperties bind(Map<String, Object> environment) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        env.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        env.getPropertySources()
                .addFirst(new SystemEnvironmentPropertySource(
                        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, environment));
        return new Binder(ConfigurationPropertySources.get(env)).bindOrCreate("sluice", ApiProperties.class);
    }
}
