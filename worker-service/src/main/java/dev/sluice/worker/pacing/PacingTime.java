package dev.sluice.worker.pacing;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The real monotonic clock and sleeper the pacer and the dispatchers wait with; unit tests pass their own. */
@Configuration(proxyBeanMethods = false)
class PacingTime {

    @Bean
    MonotonicClock monotonicClock() {
        return MonotonicClock.system();
    }

    @Bean
    Sleeper sleeper() {
        return Sleeper.system();
    }
}
