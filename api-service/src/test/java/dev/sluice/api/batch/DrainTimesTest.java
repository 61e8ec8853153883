package dev.sluice.api.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Limit;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DrainTimesTest {

    @Test
    void jobsDrainAtTheLimitsRate() {
        assertThat(DrainTimes.toDrain(30, Limit.parse("15/60s"))).isEqualTo(Duration.ofSeconds(120));
        assertThat(DrainTimes.toDrain(3, Limit.parse("2/10s"))).isEqualTo(Duration.ofSeconds(15));
        assertThat(DrainTimes.toDrain(0, Limit.parse("2/10s"))).isZero();
    }

    @Test
    void roundsUpToTheMillisecond() {
        assertThat(DrainTimes.toDrain(1, Limit.parse("3/1s"))).isEqualTo(Duration.ofMillis(334));
    }

    @Test
    void aHundredThousandJobsAtAGenerousLimitDoNotOverflow() {
        assertThat(DrainTimes.toDrain(100_000, new Limit(10_000, Duration.ofDays(30))))
                .isEqualTo(Duration.ofDays(300));
    }
}
