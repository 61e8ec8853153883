package dev.sluice.worker;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WakingLoopTest {

    private static final Duration LONG = Duration.ofHours(1);

    private final AtomicInteger passes = new AtomicInteger();
    private final AtomicBoolean listening = new AtomicBoolean(true);
    private volatile Optional<Instant> asked = Optional.empty();
    private WakingLoop loop;

    @AfterEach
    void stop() {
        loop.stop();
    }

    @Test
    void aRingRunsThePassAtOnceWhateverThePeriod() {
        start(LONG);
        await().atMost(Duration.ofSeconds(5)).until(() -> passes.get() == 1);

        loop.ring();
        loop.ring();

        await().atMost(Duration.ofSeconds(5)).until(() -> passes.get() >= 2);
        await().during(Duration.ofMillis(300)).until(() -> passes.get() <= 3);
    }

    @Test
    void aPassRunsAgainAtTheTimeTheLastOneAskedFor() {
        asked = Optional.of(Instant.now().plusMillis(200));
        start(LONG);

        await().atMost(Duration.ofSeconds(5)).until(() -> passes.get() == 2);
    }

    @Test
    void whileNotListeningTheShortPeriodApplies() {
        listening.set(false);
        start(Duration.ofMillis(50));
        await().atMost(Duration.ofSeconds(5)).until(() -> passes.get() >= 4);

        listening.set(true);
        loop.ring();
        await().atMost(Duration.ofSeconds(5)).until(() -> passes.get() >= 5);
        int settled = passes.get();

        await().during(Duration.ofMillis(500)).until(() -> passes.get() == settled);
    }

    private void start(Duration deafPeriod) {
        loop = new WakingLoop("test", deafPeriod, LONG, listening::get, InstantSource.system(), () -> {
            passes.incrementAndGet();
            Optional<Instant> next = asked;
            asked = Optional.empty();
            return next;
        });
        loop.start(Duration.ZERO);
    }
}
