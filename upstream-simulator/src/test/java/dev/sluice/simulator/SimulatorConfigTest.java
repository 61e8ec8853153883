package dev.sluice.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.simulator.faults.FaultRates;
import dev.sluice.simulator.limit.Limit;
import dev.sluice.simulator.limit.WindowKind;
import dev.sluice.simulator.openai.StreamingMode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulatorConfigTest {

    @Test
    void defaultsAreTheSeedProvider() {
        SimulatorConfig c = SimulatorConfig.fromEnvironment(Map.of());
        assertThat(c).isEqualTo(SimulatorConfig.defaults());
        assertThat(c.port()).isEqualTo(3010);
        assertThat(c.limit()).isEqualTo(Limit.parse("15/60s"));
        assertThat(c.window()).isEqualTo(WindowKind.SLIDING);
        assertThat(c.latency()).isEqualTo(Duration.ofMillis(800));
        assertThat(c.jitter()).isEqualTo(Duration.ofMillis(300));
        assertThat(c.faults()).isEqualTo(FaultRates.NONE);
        assertThat(c.embeddings()).isFalse();
        assertThat(c.completions()).isFalse();
        assertThat(c.streaming()).isEqualTo(StreamingMode.BROKEN);
        assertThat(c.retryAfter()).isFalse();
    }

    @Test
    void readsEverySettingFromTheEnvironment() {
        SimulatorConfig c = SimulatorConfig.fromEnvironment(Map.ofEntries(
                Map.entry("SERVER_PORT", "0"),
                Map.entry("SIMULATOR_LIMIT", "15/6s"),
                Map.entry("SIMULATOR_WINDOW", "fixed"),
                Map.entry("SIMULATOR_LATENCY_MS", "5"),
                Map.entry("SIMULATOR_JITTER_MS", "0"),
                Map.entry("SIMULATOR_FAILURE_RATE", "0.1"),
                Map.entry("SIMULATOR_RESET_RATE", "0.2"),
                Map.entry("SIMULATOR_HANG_RATE", "0.05"),
                Map.entry("SIMULATOR_TRUNCATE_RATE", "0.15"),
                Map.entry("SIMULATOR_HANG_MS", "1000"),
                Map.entry("SIMULATOR_EMBEDDINGS", "true"),
                Map.entry("SIMULATOR_COMPLETIONS", "TRUE"),
                Map.entry("SIMULATOR_STREAMING", "working"),
                Map.entry("SIMULATOR_RETRY_AFTER", "true"),
                Map.entry("SIMULATOR_EXTRA_LIMIT", "1000/1d"),
                Map.entry("SIMULATOR_TPM", "30000"),
                Map.entry("SIMULATOR_TPM_WINDOW", "6s"),
                Map.entry("SIMULATOR_DEFAULT_MAX_TOKENS", "16"),
                Map.entry("UNRELATED", "x")));
        assertThat(c)
                .isEqualTo(new SimulatorConfig(
                        0,
                        Limit.parse("15/6s"),
                        WindowKind.FIXED,
                        Duration.ofMillis(5),
                        Duration.ZERO,
                        new FaultRates(0.1, 0.2, 0.05, 0.15),
                        Duration.ofSeconds(1),
                        true,
                        true,
                        StreamingMode.WORKING,
                        true,
                        Limit.of(1000, Duration.ofDays(1)),
                        30_000,
                        Duration.ofSeconds(6),
                        16,
                        List.of()));
        assertThat(c.settings())
                .containsEntry("extra_limit", "1000/86400s")
                .containsEntry("tpm", 30_000L)
                .containsEntry("tpm_window", "6s")
                .containsEntry("default_max_tokens", 16);
    }

    @Test
    void badValuesNameTheVariable() {
        assertThatThrownBy(() -> SimulatorConfig.fromEnvironment(Map.of("SIMULATOR_LIMIT", "lots")))
                .hasMessageStartingWith("SIMULATOR_LIMIT: ");
        assertThatThrownBy(() -> SimulatorConfig.fromEnvironment(Map.of("SIMULATOR_EMBEDDINGS", "yes")))
                .hasMessageStartingWith("SIMULATOR_EMBEDDINGS: ");
        assertThatThrownBy(() -> SimulatorConfig.fromEnvironment(Map.of("SIMULATOR_LATENCY_MS", "-1")))
                .hasMessageStartingWith("SIMULATOR_LATENCY_MS: ");
        assertThatThrownBy(() -> SimulatorConfig.fromEnvironment(Map.of("SIMULATOR_EXTRA_LIMIT", "1000 a day")))
                .hasMessageStartingWith("SIMULATOR_EXTRA_LIMIT: ");
        assertThatThrownBy(() -> SimulatorConfig.fromEnvironment(Map.of("SIMULATOR_TPM", "-5")))
                .hasMessageStartingWith("SIMULATOR_TPM: ");
        assertThatThrownBy(() -> SimulatorConfig.fromEnvironment(Map.of("SIMULATOR_TPM", "lots")))
                .hasMessageStartingWith("SIMULATOR_TPM: ");
        assertThatThrownBy(() -> SimulatorConfig.fromEnvironment(Map.of("SIMULATOR_TPM_WINDOW", "0s")))
                .hasMessageStartingWith("SIMULATOR_TPM_WINDOW: ");
        assertThatThrownBy(() -> SimulatorConfig.fromEnvironment(Map.of("SIMULATOR_TPM_WINDOW", "soon")))
                .hasMessageStartingWith("SIMULATOR_TPM_WINDOW: ");
        assertThatThrownBy(() -> SimulatorConfig.fromEnvironment(Map.of("SIMULATOR_DEFAULT_MAX_TOKENS", "-1")))
                .hasMessageStartingWith("SIMULATOR_DEFAULT_MAX_TOKENS: ");
        assertThatThrownBy(() -> SimulatorConfig.fromEnvironment(
                        Map.of("SIMULATOR_FAILURE_RATE", "0.7", "SIMULATOR_RESET_RATE", "0.7")))
                .hasMessageContaining("at most 1");
    }

    @Test
    void runTimeSettingsArePartialAndRoundTrip() {
        SimulatorConfig c =
                SimulatorConfig.defaults().withSettings(Map.of("limit", "15/6s", "window", "fixed", "latency_ms", "0"));
        assertThat(c.limit()).isEqualTo(Limit.parse("15/6s"));
        assertThat(c.window()).isEqualTo(WindowKind.FIXED);
        assertThat(c.latency()).isZero();
        assertThat(c.jitter()).isEqualTo(Duration.ofMillis(300));
        assertThat(c.settings())
                .containsEntry("limit", "15/6s")
                .containsEntry("latency_ms", 0L)
                .containsEntry("window", "fixed")
                .containsKeys("retry_after", "hang_ms", "port");
        assertThatThrownBy(() -> c.withSettings(Map.of("port", "1"))).hasMessageContaining("port");
        assertThatThrownBy(() -> c.withSettings(Map.of("nope", "1"))).hasMessageContaining("no such setting");
    }
}
