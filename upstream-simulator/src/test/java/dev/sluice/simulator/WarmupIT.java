package dev.sluice.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class WarmupIT {

    @Test
    void runsAdmittedAndRefusedRequestsThroughAThrowawaySimulator() {
        // Chat only (completions and embeddings off): 60 requests per model, of which the limit of 40 per minute
        // refuses 20; every tenth is streamed, which the seed provider's broken streaming cuts (counted as neither).
        Warmup.Result result = Warmup.run(SimulatorConfig.forTests(), 300);

        assertThat(result.rateLimited()).isEqualTo(5 * 20);
        assertThat(result.answered()).isBetween(5 * 40 - 30, 5 * 40);
    }

    @Test
    void noRequestsNoWarmup() {
        assertThat(Warmup.run(SimulatorConfig.forTests(), 0)).isEqualTo(new Warmup.Result(0, 0, 0));
    }

    @Test
    void theSettingIsAWholeNumberUpTo100000() {
        assertThat(SimulatorMain.warmupRequests(null)).isEqualTo(Warmup.DEFAULT_REQUESTS);
        assertThat(SimulatorMain.warmupRequests(" 0 ")).isZero();
        for (String bad : new String[] {"-1", "100001", "many", "1.5"}) {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> SimulatorMain.warmupRequests(bad))
                    .withMessageContaining("SIMULATOR_WARMUP_REQUESTS");
        }
    }
}
