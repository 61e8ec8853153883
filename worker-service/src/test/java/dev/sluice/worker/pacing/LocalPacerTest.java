package dev.sluice.worker.pacing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Limit;
import dev.sluice.worker.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalPacerTest {

    private static final Duration MARGIN = Duration.ofMillis(100);

    private final SettableClock clock = new SettableClock();
    private final LocalPacer pacer = new LocalPacer(Limit.parse("15/60s"), MARGIN, clock);

    @Test
    void aBurstOfNGoesAtOnceThenTheNextWaitsForTheWindowPlusTheMargin() {
        for (int i = 0; i < 15; i++) {
            assertThat(pacer.tryAcquire()).as("dispatch %d of the burst", i + 1).isZero();
        }

        assertThat(pacer.tryAcquire()).isEqualTo(Duration.ofSeconds(60).plus(MARGIN));
        clock.tick(Duration.ofSeconds(60));
        assertThat(pacer.tryAcquire()).as("W alone is not enough").isEqualTo(MARGIN);
        clock.tick(MARGIN);
        // The whole burst has aged out, so a whole new burst fits, and not one more.
        for (int i = 0; i < 15; i++) {
            assertThat(pacer.tryAcquire()).as("dispatch %d of the second burst", i + 1).isZero();
        }
        assertThat(pacer.tryAcquire()).isEqualTo(Duration.ofSeconds(60).plus(MARGIN));
    }

    @Test
    void slotsFreeOneByOneAsEachEarlierDispatchAgesOut() {
        List<Instant> sent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            assertThat(pacer.tryAcquire()).isZero();
            sent.add(clock.instant());
            clock.tick(Duration.ofSeconds(10));
        }
        for (int i = 3; i < 15; i++) {
            assertThat(pacer.tryAcquire()).isZero();
            sent.add(clock.instant());
        }

        // The 16th may go when the 1st is 60.1 s old, the 17th when the 2nd is, and so on.
        for (int i = 0; i < 3; i++) {
            Instant freesAt = sent.get(i).plus(Duration.ofSeconds(60)).plus(MARGIN);
            assertThat(pacer.tryAcquire()).isEqualTo(Duration.between(clock.instant(), freesAt));
            clock.tick(Duration.between(clock.instant(), freesAt));
            assertThat(pacer.tryAcquire()).isZero();
            sent.add(clock.instant());
        }
    }

    @Test
    void neverAdmitsMoreThanNWithinAnyWindowPlusMargin() {
        LocalPacer small = new LocalPacer(Limit.parse("5/2s"), MARGIN, clock);
        List<Instant> sent = new ArrayList<>();
        // A caller that asks every 37 ms for 30 s: dispatches as fast as the pacer lets it.
        for (int step = 0; step < 30_000 / 37; step++) {
            if (small.tryAcquire().isZero()) {
                sent.add(clock.instant());
            }
            clock.tickMillis(37);
        }

        Duration guarded = Duration.ofSeconds(2).plus(MARGIN);
        for (int i = 5; i < sent.size(); i++) {
            assertThat(Duration.between(sent.get(i - 5), sent.get(i))).isGreaterThanOrEqualTo(guarded);
        }
        // ...and still uses the limit: 5 per 2.1 s, up to one 37 ms step late each time.
        assertThat(sent).hasSizeGreaterThanOrEqualTo(5 * (int) (30_000 / (2_100 + 37)));
    }

    @Test
    void aPauseHoldsEveryDispatchUntilItEnds() {
        pacer.pauseUntil(clock.instant().plusSeconds(30));

        assertThat(pacer.tryAcquire()).isEqualTo(Duration.ofSeconds(30));
        clock.tick(Duration.ofSeconds(30));
        assertThat(pacer.tryAcquire()).isZero();
    }

    @Test
    void anEarlierPauseDoesNotShortenALaterOne() {
        pacer.pauseUntil(clock.instant().plusSeconds(30));
        pacer.pauseUntil(clock.instant().plusSeconds(5));

        assertThat(pacer.tryAcquire()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aLearnedStricterLimitTakesOverAndALooserOneDoesNot() {
        LocalPacer generous = new LocalPacer(Limit.parse("100/60s"), MARGIN, clock);
        generous.learn(Limit.parse("15/60s"));
        assertThat(generous.limit()).isEqualTo(Limit.parse("15/60s"));

        generous.learn(Limit.parse("50/60s"));
        assertThat(generous.limit()).isEqualTo(Limit.parse("15/60s"));

        for (int i = 0; i < 15; i++) {
            assertThat(generous.tryAcquire()).isZero();
        }
        assertThat(generous.tryAcquire()).isPositive();
    }
}
