package dev.sluice.worker.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class IdleDispatchersTest {

    private static final Instant T0 = Instant.parse("2026-12-04T12:00:00Z");
    private final IdleDispatchers idle = new IdleDispatchers(Duration.ofMinutes(5));

    @Test
    void aDispatcherThatStartsNothingIsIdleOnceTheWholePeriodHasPassed() {
        assertThat(idle.idleLongEnough("m", 3, 0, T0)).isFalse();
        assertThat(idle.idleLongEnough("m", 3, 0, T0.plus(Duration.ofMinutes(4))))
                .isFalse();
        assertThat(idle.idleLongEnough("m", 3, 0, T0.plus(Duration.ofMinutes(5))))
                .isTrue();
    }

    @Test
    void aStartedMessageStartsTheWaitAgain() {
        idle.idleLongEnough("m", 3, 0, T0);
        assertThat(idle.idleLongEnough("m", 4, 0, T0.plus(Duration.ofMinutes(4))))
                .isFalse();
        assertThat(idle.idleLongEnough("m", 4, 0, T0.plus(Duration.ofMinutes(8))))
                .isFalse();
        assertThat(idle.idleLongEnough("m", 4, 0, T0.plus(Duration.ofMinutes(9))))
                .isTrue();
    }

    @Test
    void aJobInFlightKeepsItBusyHoweverLongItTakes() {
        idle.idleLongEnough("m", 1, 1, T0);
        assertThat(idle.idleLongEnough("m", 1, 1, T0.plus(Duration.ofMinutes(30))))
                .isFalse();
        assertThat(idle.idleLongEnough("m", 1, 0, T0.plus(Duration.ofMinutes(31))))
                .isFalse();
        assertThat(idle.idleLongEnough("m", 1, 0, T0.plus(Duration.ofMinutes(35))))
                .isFalse();
        assertThat(idle.idleLongEnough("m", 1, 0, T0.plus(Duration.ofMinutes(36))))
                .isTrue();
    }

    @Test
    void modelsAreTrackedApartAndAForgottenOneWaitsAfresh() {
        idle.idleLongEnough("a", 0, 0, T0);
        idle.idleLongEnough("b", 0, 0, T0.plus(Duration.ofMinutes(3)));
        Instant later = T0.plus(Duration.ofMinutes(6));
        assertThat(idle.idleLongEnough("a", 0, 0, later)).isTrue();
        assertThat(idle.idleLongEnough("b", 0, 0, later)).isFalse();

        idle.forget("a");
        assertThat(idle.idleLongEnough("a", 0, 0, later)).isFalse();
    }
}
