package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;
import tools.jackson.databind.JsonNode;

class TextTest {

    @Test
    void durationsReadAsAPersonWritesThem() {
        assertThat(Text.duration(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(Text.duration(Duration.ofSeconds(192))).isEqualTo("3m12s");
        assertThat(Text.duration(Duration.ofMinutes(125))).isEqualTo("2h05m");
        assertThat(Text.duration(Duration.ofHours(76))).isEqualTo("3d04h");
        assertThat(Text.duration(Duration.ofSeconds(-3))).isEqualTo("0s");
    }

    @Test
    void limitsAndIdsOnTheWire() {
        JsonNode limit = ApiClient.JSON.readTree("{\"requests\": 15, \"per_seconds\": 60}");
        JsonNode fractional = ApiClient.JSON.readTree("{\"requests\": 3, \"per_seconds\": 1.50}");

        assertThat(Text.limit(limit.path("requests"), limit.path("per_seconds")))
                .isEqualTo("15/60s");
        assertThat(Text.limit(fractional.path("requests"), fractional.path("per_seconds")))
                .isEqualTo("3/1.5s");
        assertThat(Text.limit(limit.path("absent"), limit.path("per_seconds"))).isEqualTo("-");
        assertThat(Text.segment("batch_x/../admin key")).isEqualTo("batch_x%2F..%2Fadmin%20key");
    }

    @Test
    void pollIntervalsAreDurationsWithAUnit() {
        DurationConverter converter = new DurationConverter();

        assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(converter.convert("2s")).isEqualTo(Duration.ofSeconds(2));
        assertThat(converter.convert("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThatThrownBy(() -> converter.convert("0s")).isInstanceOf(TypeConversionException.class);
        assertThatThrownBy(() -> converter.convert("2")).isInstanceOf(TypeConversionException.class);
    }
}
