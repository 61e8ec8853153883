package dev.sluice.common;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.LimitSet.Source;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LimitSetTest {

    private static final Instant AT = Instant.parse("2026-12-04T12:00:00Z");
    private static final List<Limit> DEFAULTS = List.of(Limit.parse("15/60s"));

    @Test
    void theOperatorsLimitsReplaceTheDefaultAndLearnedOnesJoinThem() {
        LimitSet unset = LimitSet.of(List.of(), DEFAULTS, List.of());
        assertThat(unset.entries()).extracting(LimitSet.Entry::source).containsExactly(Source.DEFAULT);

        LimitSet set =
                LimitSet.of(List.of(Limit.parse("30/45s")), DEFAULTS, List.of()).learn(Limit.parse("2/3s"), AT);

        // The learned 2/3s has the same rate as the configured 30/45s: both hold, neither hides the other.
        assertThat(set.limits()).containsExactly(Limit.parse("30/45s"), Limit.parse("2/3s"));
        assertThat(set.entries()).extracting(LimitSet.Entry::source).containsExactly(Source.CONFIGURED, Source.LEARNED);
    }

    @Test
    void aLearnedLimitReplacesOnlyALearnedOneOfTheSameUnitAndWindow() {
        LimitSet set = LimitSet.configured(Limit.parse("10/3s"))
                .learn(Limit.parse("25/12s"), AT)
                .learn(Limit.parse("3000 tokens/12s"), AT)
                .learn(Limit.parse("20/12s"), AT.plusSeconds(1))
                .learn(Limit.parse("5/3s"), AT.plusSeconds(2));

        assertThat(set.limits())
                .containsExactly(
                        Limit.parse("10/3s"),
                        Limit.parse("3000 tokens/12s"),
                        Limit.parse("20/12s"),
                        Limit.parse("5/3s"));
    }

    @Test
    void aStatedLimitIsEnforcedWhenALimitOfTheSameKindAdmitsNoMore() {
        LimitSet set = LimitSet.configured(Limit.parse("10/3s"), Limit.parse("3000 tokens/6s"));

        assertThat(set.enforces(Limit.parse("10/3s"))).isTrue();
        assertThat(set.enforces(Limit.parse("12/3s"))).isTrue();
        assertThat(set.enforces(Limit.parse("9/3s"))).isFalse();
        assertThat(set.enforces(Limit.parse("25/12s"))).isFalse();
        assertThat(set.enforces(Limit.parse("10 tokens/3s"))).isFalse();
        assertThat(set.enforces(Limit.parse("4000 tokens/6s"))).isTrue();
    }

    @Test
    void answersTheTokenCeilingAndWindows() {
        LimitSet set = LimitSet.configured(
                Limit.parse("15/60s"),
                Limit.parse("1000/1d"),
                Limit.parse("30000 tokens/1m"),
                Limit.parse("900000 tokens/1d"));

        assertThat(set.tokenCeiling()).hasValue(30_000);
        assertThat(set.shortestWindow(Limit.Unit.REQUESTS)).hasValue(Duration.ofMinutes(1));
        assertThat(set.longestWindow()).isEqualTo(Duration.ofDays(1));
        assertThat(LimitSet.configured(Limit.parse("15/60s")).tokenCeiling()).isEmpty();
    }
}
