package dev.sluice.worker.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SettingsRefreshTest {

    private static final Duration FALLBACK = Duration.ofSeconds(30);
    private static final Instant T0 = Instant.parse("2026-12-04T12:00:00Z");

    private final SettingsRefresh refresh = new SettingsRefresh(FALLBACK);

    private static Instant at(int seconds) {
        return T0.plusSeconds(seconds);
    }

    @Test
    void anIdleWorkerReadsAtStartThenOnlyEveryFallback() {
        assertThat(refresh.due(0, 0, at(0))).as("the first pass").isTrue();
        assertThat(refresh.due(0, 0, at(1))).isFalse();
        assertThat(refresh.due(0, 0, at(29))).isFalse();
        assertThat(refresh.due(0, 0, at(30))).as("the fallback").isTrue();
        assertThat(refresh.due(0, 0, at(31))).isFalse();
    }

    @Test
    void aChangeIsReadAtTheNextPassOnce() {
        refresh.due(0, 0, at(0));
        refresh.changed();
        assertThat(refresh.due(0, 0, at(1))).isTrue();
        assertThat(refresh.due(0, 0, at(2))).isFalse();
    }

    @Test
    void aWorkerRunningJobsReadsAtEveryPassAndOnceMoreAfterTheLastFinished() {
        refresh.due(0, 0, at(0));
        assertThat(refresh.due(3, 3, at(1))).as("jobs started").isTrue();
        assertThat(refresh.due(3, 1, at(2))).as("jobs in flight").isTrue();
        // The last job finished since: what it learned is stored at this pass.
        assertThat(refresh.due(3, 0, at(3))).isTrue();
        assertThat(refresh.due(3, 0, at(4))).isFalse();
        // A job started and finished between two passes.
        assertThat(refresh.due(4, 0, at(5))).isTrue();
        assertThat(refresh.due(4, 0, at(6))).isTrue();
        assertThat(refresh.due(4, 0, at(7))).isFalse();
    }
}
