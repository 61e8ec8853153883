package dev.sluice.simulator.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LimitTest {

    @Test
    void parsesSecondsAndMinutes() {
        assertThat(Limit.parse("15/60s")).isEqualTo(Limit.of(15, Duration.ofSeconds(60)));
        assertThat(Limit.parse(" 15 / 1m ")).isEqualTo(Limit.of(15, Duration.ofMinutes(1)));
        assertThat(Limit.parse("15/6S")).isEqualTo(Limit.of(15, Duration.ofSeconds(6)));
        assertThat(Limit.parse("5/500ms")).isEqualTo(Limit.of(5, Duration.ofMillis(500)));
        assertThat(Limit.parse("500/1h")).isEqualTo(Limit.of(500, Duration.ofHours(1)));
        assertThat(Limit.parse("1000/1d")).isEqualTo(Limit.of(1000, Duration.ofDays(1)));
        assertThat(Limit.parse("1000/1d")).hasToString("1000/86400s");
    }

    @Test
    void parsesWindowLengths() {
        assertThat(Limit.parseLength("60s")).isEqualTo(Duration.ofSeconds(60));
        assertThat(Limit.parseLength(" 1 m ")).isEqualTo(Duration.ofMinutes(1));
        assertThat(Limit.parseLength("1d")).isEqualTo(Duration.ofDays(1));
        assertThatThrownBy(() -> Limit.parseLength("60")).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "none", "NONE", "0/60s"})
    void zeroOrNoneIsUnlimited(String text) {
        assertThat(Limit.parse(text).isUnlimited()).isTrue();
        assertThat(Limit.parse(text).toString()).isEqualTo("none");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "15", "15/", "15/60", "15/60w", "-1/60s", "15/0s", "a/b"})
    void rejectsAnythingElse(String text) {
        assertThatThrownBy(() -> Limit.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writesTheWindowInSecondsAsTheProviderDoes() {
        assertThat(Limit.parse("15/1m").windowText()).isEqualTo("60s");
        assertThat(Limit.parse("15/1m")).hasToString("15/60s");
        assertThat(Limit.of(5, Duration.ofMillis(500)).windowText()).isEqualTo("500ms");
    }
}
