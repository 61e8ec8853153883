package dev.sluice.worker.pacing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Limit;
import dev.sluice.worker.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pacer with budgets in memory and a clock that only moves when the pacer sleeps: no real waiting. */
class GlobalPacerTest {

    private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
    private static final Duration MARGIN = Duration.ofMillis(100);

    private final SettableClock clock = new SettableClock(T0);
    private final InMemoryBudgetStore store = new InMemoryBudgetStore(clock);

    @Test
    void sixtyRequestsAtFifteenPerSixSecondsGoInFourBurstsOneWindowAndMarginApart() throws InterruptedException {
        GlobalPacer pacer = pacer(Map.of("m", Limit.parse("15/6s")), null, List.of(Credential.of("sk-1")));

        List<Duration> sendTimes = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            pacer.acquire("m");
            sendTimes.add(Duration.between(T0, clock.instant()));
        }

        // Each burst is recorded as sent 50 ms (the send allowance) after its grant, so frees its slots then.
        assertThat(sendTimes.subList(0, 15)).allMatch(Duration.ZERO::equals);
        assertThat(sendTimes.subList(15, 30)).allMatch(Duration.ofMillis(6_150)::equals);
        assertThat(sendTimes.subList(30, 45)).allMatch(Duration.ofMillis(12_300)::equals);
        assertThat(sendTimes.get(59)).isEqualTo(Duration.ofMillis(18_450));
    }

    @Test
    void twoCredentialsDoubleAModelsBudget() throws InterruptedException {
        GlobalPacer pacer = pacer(Map.of("m", Limit.parse("5/2s")), null,
                List.of(Credential.of("sk-a"), Credential.of("sk-b")));

        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            keys.add(pacer.acquire("m").credential().fingerprint());
        }

        assertThat(clock.instant()).isEqualTo(T0);
        assertThat(keys).filteredOn(Credential.of("sk-a").fingerprint()::equals).hasSize(5);
        assertThat(keys).filteredOn(Credential.of("sk-b").fingerprint()::equals).hasSize(5);
    }

    @Test
    void theConcurrencyCapHoldsUntilARequestIsReleased() throws InterruptedException {
        GlobalPacer pacer = pacer(Map.of("m", Limit.parse("100/1s")), 2, List.of(Credential.of("sk-1")));
        Grant first = pacer.acquire("m");
        pacer.acquire("m");

        Thread releaser = Thread.ofVirtual().unstarted(() -> pacer.release(first));
        sleeperHook = () -> {
            if (releaser.getState() == Thread.State.NEW) {
                releaser.start();
            }
        };
        pacer.acquire("m");

        assertThat(clock.instant()).isAfter(T0);
    }

    @Test
    void a429PausesOnlyThatModel() throws InterruptedException {
        GlobalPacer pacer = pacer(Map.of("a", Limit.parse("5/2s"), "b", Limit.parse("5/2s")), null,
                List.of(Credential.of("sk-1")));
        Grant refused = pacer.acquire("a");
        pacer.release(refused);

        pacer.rateLimited(refused, Duration.ofSeconds(2));
        pacer.acquire("b");
        assertThat(clock.instant()).isEqualTo(T0);
        pacer.acquire("a");
        assertThat(clock.instant()).isEqualTo(T0.plusSeconds(2));
    }

    @Test
    void withoutAConcurrencyCapReleasingAndSendingWithinTheAllowanceWriteNothing() throws InterruptedException {
        GlobalPacer pacer = pacer(Map.of("m", Limit.parse("5/2s")), null, List.of(Credential.of("sk-1")));
        Grant grant = pacer.acquire("m");
        int transactions = store.transactions();

        pacer.sent(grant, grant.grantedNanos() + GlobalPacer.SEND_ALLOWANCE.toNanos());
        pacer.release(grant);
        assertThat(store.transactions()).isEqualTo(transactions);

        Grant late = pacer.acquire("m");
        transactions = store.transactions();
        pacer.sent(late, late.grantedNanos() + GlobalPacer.SEND_ALLOWANCE.toNanos() + 1_000_000);
        assertThat(store.transactions()).as("a send later than the allowance is recorded").isEqualTo(transactions + 1);
    }

    @Test
    void theMarginWidensOncePerWindowAndOnlyForTheModelThatSawThe429() {
        GlobalPacer pacer = pacer(Map.of("a", Limit.parse("5/2s"), "b", Limit.parse("5/2s")), null,
                List.of(Credential.of("sk-1")));

        pacer.widenMargin("a");
        pacer.widenMargin("a");

        assertThat(pacer.margin("a")).isEqualTo(MARGIN.multipliedBy(2));
        assertThat(pacer.margin("b")).isEqualTo(MARGIN);
    }

    private Runnable sleeperHook = () -> { };

    private GlobalPacer pacer(Map<String, Limit> limits, Integer maxConcurrency, List<Credential> credentials) {
        LimitSource source = new LimitSource() {
            @Override
            public Limit effective(String model) {
                return limits.get(model);
            }

            @Override
            public Integer maxConcurrency(String model) {
                return maxConcurrency;
            }
        };
        return new GlobalPacer(store, source, credentials, MARGIN, Duration.ofMinutes(5), GlobalPacer.SEND_ALLOWANCE,
                duration -> {
            sleeperHook.run();
            clock.tick(duration);
        });
    }
}
