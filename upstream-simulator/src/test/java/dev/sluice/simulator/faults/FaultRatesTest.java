package dev.sluice.simulator.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FaultRatesTest {

    @Test
    void picksByCumulativeShare() {
        FaultRates rates = new FaultRates(0.1, 0.2, 0.3, 0.1);
        assertThat(rates.pick(0.0)).isEqualTo(Fault.SERVER_ERROR);
        assertThat(rates.pick(0.099)).isEqualTo(Fault.SERVER_ERROR);
        assertThat(rates.pick(0.1)).isEqualTo(Fault.RESET);
        assertThat(rates.pick(0.35)).isEqualTo(Fault.HANG);
        assertThat(rates.pick(0.65)).isEqualTo(Fault.TRUNCATE);
        assertThat(rates.pick(0.75)).isEqualTo(Fault.NONE);
        assertThat(FaultRates.NONE.pick(0.0)).isEqualTo(Fault.NONE);
    }

    @Test
    void eachRateIsAShareAndTheirSumAtMostOne() {
        assertThatThrownBy(() -> FaultRates.failures(1.5)).hasMessageContaining("failure rate");
        assertThatThrownBy(() -> new FaultRates(0, -0.1, 0, 0)).hasMessageContaining("reset rate");
        assertThatThrownBy(() -> new FaultRates(0.6, 0.6, 0, 0).requireValid()).hasMessageContaining("at most 1");
        assertThat(new FaultRates(0.25, 0.25, 0.25, 0.25).requireValid().pick(0.999))
                .isEqualTo(Fault.TRUNCATE);
    }
}
