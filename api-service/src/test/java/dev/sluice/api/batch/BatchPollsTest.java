package dev.sluice.api.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.SettableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * When a poll waits for a read of its batch and when it is answered from an earlier one, on a clock the test moves
 * (staleness 100 ms). The reads are the test's own: each returns a view with its own status, and a read can be held
 * open to show who waits for it.
 */
class BatchPollsTest {

    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-04T00:00:00Z"));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final BatchPolls polls = new BatchPolls(properties(Duration.ofMillis(100)), clock, meters);
    private final AtomicInteger reads = new AtomicInteger();
    private final CountDownLatch readStarted = new CountDownLatch(1);

    @Test
    void withinTheStalenessAPollIsAnsweredFromTheLastReadWithoutReading() {
        assertThat(poll(reading("first"))).isEqualTo("first");
        clock.advance(Duration.ofMillis(99));

        assertThat(poll(reading("second"))).isEqualTo("first");
        assertThat(reads).hasValue(1);
    }

    @Test
    void pastTheStalenessButWithinTwiceItAPollStartsARereadAndIsAnsweredFromTheLastWithoutWaiting() throws Exception {
        assertThat(poll(reading("first"))).isEqualTo("first");
        clock.advance(Duration.ofMillis(150));
        CountDownLatch release = new CountDownLatch(1);

        // The new read is held open: the poll is answered anyway, from the last read.
        assertThat(poll(held(release, "second"))).isEqualTo("first");
        // So is a poll arriving while that read is in flight, which starts no read of its own.
        clock.advance(Duration.ofMillis(10));
        assertThat(poll(reading("third"))).isEqualTo("first");
        assertThat(readsCounted()).isEqualTo(2.0);

        release.countDown();
        clock.advance(Duration.ofMillis(10));
        awaitAnswer("second");
        assertThat(readsCounted()).isEqualTo(2.0);
    }

    @Test
    void afterTwiceTheStalenessAPollWaitsForItsOwnRead() throws Exception {
        assertThat(poll(reading("first"))).isEqualTo("first");
        clock.advance(Duration.ofMillis(200));
        CountDownLatch release = new CountDownLatch(1);

        CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> poll(held(release, "second")));

        assertThat(readStarted.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(waiting).isNotDone();
        release.countDown();
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isEqualTo("second");
    }

    @Test
    void aForgottenBatchIsReadOnItsNextPoll() {
        assertThat(poll(reading("first"))).isEqualTo("first");
        clock.advance(Duration.ofMillis(150));

        polls.forget("tenant", "batch");

        assertThat(poll(reading("after the change"))).isEqualTo("after the change");
    }

    @Test
    void aFailedRereadIsForgottenAndTheNextPollReadsAgain() {
        assertThat(poll(reading("first"))).isEqualTo("first");
        clock.advance(Duration.ofMillis(150));
        assertThat(poll(() -> {
                    reads.incrementAndGet();
                    throw new IllegalStateException("database down");
                }))
                .isEqualTo("first");

        clock.advance(Duration.ofMillis(10));
        awaitAnswer("after the failure");
    }

    private String poll(Supplier<Optional<BatchView>> read) {
        return polls.poll("tenant", "batch", read).orElseThrow().status();
    }

    /** Polls until a poll answers {@code status} (a background read has landed); each poll offers the same read. */
    private void awaitAnswer(String status) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!poll(reading(status)).equals(status)) {
            assertThat(System.nanoTime()).as("answered %s within 5 s", status).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private Supplier<Optional<BatchView>> reading(String status) {
        return () -> {
            reads.incrementAndGet();
            return Optional.of(view(status));
        };
    }

    /** {@link #reading} held open until {@code release}, telling {@link #readStarted} once it has begun. */
    private Supplier<Optional<BatchView>> held(CountDownLatch release, String status) {
        Supplier<Optional<BatchView>> read = reading(status);
        return () -> {
            readStarted.countDown();
            try {
                assertThat(release.await(5, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return read.get();
        };
    }

    private double readsCounted() {
        return meters.get("sluice.batch.poll.reads").counter().count();
    }

    private static BatchView view(String status) {
        return new BatchView(
                "batch",
                "batch",
                "/v1/chat/completions",
                null,
                "file",
                "24h",
                status,
                null,
                null,
                0,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                0,
                null,
                null,
                null);
    }

    private static ApiProperties properties(Duration staleness) {
        return new ApiProperties(null, null, null, null, null, null, null, null, null, null, staleness);
    }
}
