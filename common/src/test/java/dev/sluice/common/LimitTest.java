package dev.sluice.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LimitTest {

    @Test
    void parsesSecondsMinutesAndHours() {
        assertThat(Limit.parse("15/60s")).isEqualTo(new Limit(15, Duration.ofSeconds(60)));
        assertThat(Limit.parse(" 500 / 1m ")).isEqualTo(new Limit(500, Duration.ofMinutes(1)));
        assertThat(Limit.parse("10000/1h")).isEqualTo(new Limit(10000, Duration.ofHours(1)));
        assertThat(Limit.parse("3/250ms")).isEqualTo(new Limit(3, Duration.ofMillis(250)));
    }

    @Test
    void refusesWhatIsNotALimit() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Limit.parse("15 per minute"))
                .withMessageContaining("N/W");
        assertThatIllegalArgumentException().isThrownBy(() -> Limit.parse("0/60s"));
        assertThatIllegalArgumentException().isThrownBy(() -> Limit.parse("15/0s"));
        assertThatIllegalArgumentException().isThrownBy(() -> Limit.parse(null));
    }

    @Test
    void parsesTokenLimitsDaysAndLists() {
        assertThat(Limit.parse("30000 tokens/1m")).isEqualTo(Limit.tokens(30_000, Duration.ofMinutes(1)));
        assertThat(Limit.parse("200 token / 6s")).isEqualTo(Limit.tokens(200, Duration.ofSeconds(6)));
        assertThat(Limit.parse("1000 requests/1d")).isEqualTo(new Limit(1000, Duration.ofDays(1)));
        assertThat(Limit.parseList("15/60s,1000/1d, 30000 tokens/60s"))
                .containsExactly(
                        new Limit(15, Duration.ofSeconds(60)),
                        new Limit(1000, Duration.ofDays(1)),
                        Limit.tokens(30_000, Duration.ofSeconds(60)));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Limit.parseList("15/60s, 20/1m"))
                .withMessageContaining("same unit and window");
        assertThatIllegalArgumentException().isThrownBy(() -> Limit.parseList(""));
        assertThatIllegalArgumentException().isThrownBy(() -> Limit.parse("15 bytes/60s"));
    }

    @Test
    void printsTheWayItIsWritten() {
        assertThat(Limit.parse("15/1m")).hasToString("15/60s");
        assertThat(Limit.parse("3/250ms")).hasToString("3/250ms");
        assertThat(Limit.parse("30000 tokens/1m")).hasToString("30000 tokens/60s");
        assertThat(Limit.parse(Limit.parse("3000 tokens/6s").toString())).isEqualTo(Limit.parse("3000 tokens/6s"));
    }
}
