package dev.sluice.api.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.web.ApiException;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CompletionWindowTest {

    private static final Duration MAX = Duration.ofHours(24);

    @ParameterizedTest
    @CsvSource({"24h, PT24H", "1h, PT1H", "30m, PT30M", "1m, PT1M", "1440m, PT24H"})
    void acceptsHoursAndMinutesUpToTheMaximum(String text, Duration expected) {
        assertThat(CompletionWindow.parse(text, MAX)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"25h", "0m", "0h", "1d", "24", "24 h", "", "-1h", "1.5h", "99999999h", "24H"})
    void refusesEverythingElse(String text) {
        assertThatThrownBy(() -> CompletionWindow.parse(text, MAX))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.param()).isEqualTo("completion_window"));
    }
}
