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
                .withMessageContaining("N/Ws");
        assertThatIllegalArgumentException().isThrownBy(() -> Limit.parse("0/60s"));
        assertThatIllegalArgumentException().isThrownBy(() -> Limit.parse("15/0s"));
        assertThatIllegalArgumentException().isThrownBy(() -> Limit.parse(null));
    }

    @Test
    void theStricterLimitAdmitsFewerRequestsPerUnitOfTime() {
        Limit seed = Limit.parse("15/60s");
        assertThat(seed.stricter(Limit.parse("20/60s"))).isEqualTo(seed);
        assertThat(seed.stricter(Limit.parse("1/1s"))).isEqualTo(seed);
        assertThat(seed.stricter(Limit.parse("10/60s"))).isEqualTo(Limit.parse("10/60s"));
        assertThat(Limit.parse("1/4s").stricter(seed)).isEqualTo(seed);
    }

    @Test
    void printsTheWayItIsWritten() {
        assertThat(Limit.parse("15/1m")).hasToString("15/60s");
        assertThat(Limit.parse("3/250ms")).hasToString("3/250ms");
    }
}
