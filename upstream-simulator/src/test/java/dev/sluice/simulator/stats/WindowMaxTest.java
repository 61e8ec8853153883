package dev.sluice.simulator.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WindowMaxTest {

    private static final long W = 10;

    @Test
    void slidingCountsArrivalsLessThanWApart() {
        long[] t = {0, 1, 2, 9, 10, 11, 19};
        // (0,10] holds 1,2,9,10; (1,11] holds 2,9,10,11; (9,19]: 10,11,19
        assertThat(WindowMax.inAnyWindow(t, t.length, W)).isEqualTo(4);
        assertThat(WindowMax.inAnyWindow(new long[0], 0, W)).isZero();
    }

    @Test
    void fixedCountsPerAlignedWindow() {
        long[] t = {5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
        assertThat(WindowMax.inFixedWindow(t, t.length, W)).isEqualTo(6);
        assertThat(WindowMax.inAnyWindow(t, t.length, W)).isEqualTo(10);
    }

    @Test
    void timelineSortsAndFoldsWithoutLosingTheMaximum() {
        Timeline timeline = new Timeline();
        timeline.add(3, W);
        timeline.add(1, W);
        timeline.add(2, W);
        assertThat(timeline.maxima(W)).containsExactly(3L, 3L);
        for (long i = 0; i < Timeline.CAPACITY + 5; i++) {
            timeline.add(100 + i * 20, W);
        }
        assertThat(timeline.maxima(W)).containsExactly(3L, 3L);
    }

    @Test
    void weightedTimelineSumsTokensPerWindowWhateverOrderTheyEndIn() {
        Timeline tokens = new Timeline();
        // Charges recorded as requests end, placed at their arrival: 0 -> 100, 4 -> 300, 9 -> 50, 12 -> 400.
        tokens.add(4, 300, W);
        tokens.add(0, 100, W);
        tokens.add(12, 400, W);
        tokens.add(9, 50, W);
        // (2,12] holds 300 + 50 + 400; [10,20) holds 400, [0,10) holds 450.
        assertThat(tokens.maxima(W)).containsExactly(750L, 450L);
    }
}
