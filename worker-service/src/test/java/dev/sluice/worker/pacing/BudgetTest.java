package dev.sluice.worker.pacing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Limit;
import dev.sluice.db.pacer.BudgetRow;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BudgetTest {

    private static final Limit FIFTEEN_PER_SIX = Limit.parse("15/6s");
    private static final Duration MARGIN = Duration.ofMillis(100);
    private static final Duration LEASE = Duration.ofMinutes(5);
    /** No send allowance: a grant is recorded as sent at its decision's instant. */
    private static final Duration NONE = Duration.ZERO;

    private static final Duration ALLOWANCE = Duration.ofMillis(50);
    private static final long SECOND = 1_000_000;
    private static final long SPAN = 6 * SECOND + 100_000;

    @Test
    void grantsABurstOfNThenMakesTheNextWaitExactlyOneWindowAndMarginAfterTheFirst() {
        BudgetRow row = empty(0);
        for (int i = 0; i < 15; i++) {
            Budget.Decision decision = Budget.decide(at(row, i * 10_000L), FIFTEEN_PER_SIX, MARGIN, null, LEASE, NONE);
            assertThat(decision).isInstanceOf(Budget.Granted.class);
            row = decision.row();
        }

        Budget.Decision sixteenth = Budget.decide(at(row, 200_000), FIFTEEN_PER_SIX, MARGIN, null, LEASE, NONE);

        assertThat(sixteenth).isInstanceOfSatisfying(Budget.Wait.class, wait -> {
            assertThat(wait.untilUs()).isEqualTo(SPAN);
            assertThat(wait.reason()).isEqualTo("rate");
        });
        assertThat(Budget.decide(at(row, SPAN - 1), FIFTEEN_PER_SIX, MARGIN, null, LEASE, NONE))
                .isInstanceOf(Budget.Wait.class);
        assertThat(Budget.decide(at(row, SPAN), FIFTEEN_PER_SIX, MARGIN, null, LEASE, NONE))
                .isInstanceOf(Budget.Granted.class);
    }

    @Test
    void inSteadyStateEachSlotFreesOneWindowAndMarginAfterItsSend() {
        BudgetRow row = empty(0);
        long[] sends = new long[15];
        for (int i = 0; i < 15; i++) {
            sends[i] = i * 400_000L;
            row = granted(at(row, sends[i]));
        }
        for (int i = 0; i < 15; i++) {
            Budget.Wait wait = (Budget.Wait)
                    Budget.decide(at(row, sends[i] + SPAN - 1), FIFTEEN_PER_SIX, MARGIN, null, LEASE, NONE);
            assertThat(wait.untilUs()).isEqualTo(sends[i] + SPAN);
            row = granted(at(row, sends[i] + SPAN));
        }
        assertThat(row.sentUs()).hasSize(15);
    }

    @Test
    void neverGrantsMoreThanNInAnyWindowWhateverTheOrderOfAsking() {
        BudgetRow row = empty(0);
        java.util.List<Long> grants = new java.util.ArrayList<>();
        java.util.Random random = new java.util.Random(42);
        long now = 0;
        for (int i = 0; i < 2_000; i++) {
            now += random.nextInt(300_000);
            Budget.Decision decision = Budget.decide(at(row, now), FIFTEEN_PER_SIX, MARGIN, null, LEASE, NONE);
            row = decision.row();
            if (decision instanceof Budget.Granted) {
                grants.add(now);
            }
        }
        for (int i = 15; i < grants.size(); i++) {
            assertThat(grants.get(i) - grants.get(i - 15)).isGreaterThanOrEqualTo(SPAN);
        }
        assertThat(grants.size()).isGreaterThan(100);
    }

    @Test
    void capsRequestsInFlightAndFreesOnRelease() {
        Limit generous = Limit.parse("100/1s");
        BudgetRow row = empty(0);
        Budget.Granted first = (Budget.Granted) Budget.decide(row, generous, MARGIN, 2, LEASE, NONE);
        Budget.Granted second = (Budget.Granted) Budget.decide(at(first.row(), 1), generous, MARGIN, 2, LEASE, NONE);

        Budget.Decision third = Budget.decide(at(second.row(), 2), generous, MARGIN, 2, LEASE, NONE);
        assertThat(third)
                .isInstanceOfSatisfying(
                        Budget.Wait.class, wait -> assertThat(wait.reason()).isEqualTo("concurrency"));

        BudgetRow released = Budget.release(second.row(), first.leaseUntilUs());
        assertThat(Budget.decide(at(released, 3), generous, MARGIN, 2, LEASE, NONE))
                .isInstanceOf(Budget.Granted.class);
    }

    @Test
    void aLeaseOfADeadWorkerLapses() {
        Limit generous = Limit.parse("100/1s");
        Budget.Granted held =
                (Budget.Granted) Budget.decide(empty(0), generous, MARGIN, 1, Duration.ofSeconds(30), NONE);

        assertThat(Budget.decide(at(held.row(), 29 * SECOND), generous, MARGIN, 1, LEASE, NONE))
                .isInstanceOf(Budget.Wait.class);
        assertThat(Budget.decide(at(held.row(), 30 * SECOND), generous, MARGIN, 1, LEASE, NONE))
                .isInstanceOf(Budget.Granted.class);
    }

    @Test
    void aLateSendMovesItsSlotLaterAndACancelledGrantFreesIt() {
        Budget.Granted granted =
                (Budget.Granted) Budget.decide(empty(0), Limit.parse("1/6s"), MARGIN, null, LEASE, NONE);

        BudgetRow late = Budget.sent(granted.row(), granted.sentUs(), 300_000);
        assertThat(((Budget.Wait) Budget.decide(at(late, 1), Limit.parse("1/6s"), MARGIN, null, LEASE, NONE)).untilUs())
                .isEqualTo(300_000 + SPAN);

        BudgetRow cancelled = Budget.cancel(granted.row(), granted.sentUs(), granted.leaseUntilUs());
        assertThat(Budget.decide(at(cancelled, 1), Limit.parse("1/6s"), MARGIN, null, LEASE, NONE))
                .isInstanceOf(Budget.Granted.class);
    }

    @Test
    void aPauseHoldsEverythingUntilItEndsAndIsNeverShortened() {
        BudgetRow paused = Budget.pause(empty(0), 5 * SECOND);
        paused = Budget.pause(paused, 2 * SECOND);

        assertThat(Budget.decide(at(paused, 4 * SECOND), FIFTEEN_PER_SIX, MARGIN, null, LEASE, NONE))
                .isInstanceOfSatisfying(
                        Budget.Wait.class, wait -> assertThat(wait.untilUs()).isEqualTo(5 * SECOND));
        assertThat(Budget.decide(at(paused, 5 * SECOND), FIFTEEN_PER_SIX, MARGIN, null, LEASE, NONE))
                .isInstanceOf(Budget.Granted.class);
    }

    @Test
    void aLoweredLimitAppliesToSendsAlreadyMade() {
        BudgetRow row = empty(0);
        for (int i = 0; i < 10; i++) {
            row = granted(at(row, i));
        }
        Budget.Decision lowered = Budget.decide(at(row, 10), Limit.parse("5/6s"), MARGIN, null, LEASE, NONE);

        // Ten sends in the window, five allowed: the sixth most recent must leave first.
        assertThat(lowered)
                .isInstanceOfSatisfying(
                        Budget.Wait.class, wait -> assertThat(wait.untilUs()).isEqualTo(5 + SPAN));
    }

    @Test
    void aBurstIsGrantedInOneDecisionUpToTheLimitAndTheCap() {
        Budget.Burst burst = Budget.decideMany(empty(0), FIFTEEN_PER_SIX, MARGIN, null, LEASE, NONE, 64);
        assertThat(burst.grants()).hasSize(15);
        assertThat(burst.notBefore()).isNull();
        assertThat(burst.row().sentUs()).hasSize(15);

        Budget.Burst none = Budget.decideMany(at(burst.row(), 1), FIFTEEN_PER_SIX, MARGIN, null, LEASE, NONE, 64);
        assertThat(none.grants()).isEmpty();
        assertThat(none.notBefore().untilUs()).isEqualTo(SPAN);

        assertThat(Budget.decideMany(empty(0), FIFTEEN_PER_SIX, MARGIN, 4, LEASE, NONE, 64)
                        .grants())
                .hasSize(4);
        assertThat(Budget.decideMany(empty(0), FIFTEEN_PER_SIX, MARGIN, null, LEASE, NONE, 3)
                        .grants())
                .hasSize(3);
    }

    @Test
    void withoutAConcurrencyCapAGrantHoldsNoLeaseSoItsReleaseChangesNothing() {
        Budget.Granted granted = (Budget.Granted) Budget.decide(empty(0), FIFTEEN_PER_SIX, MARGIN, null, LEASE, NONE);

        assertThat(granted.leaseUntilUs()).isEqualTo(Budget.NO_LEASE);
        assertThat(granted.row().busyUntilUs()).isEmpty();
        assertThat(Budget.release(granted.row(), granted.leaseUntilUs())).isSameAs(granted.row());
        assertThat(Budget.cancel(granted.row(), granted.sentUs(), granted.leaseUntilUs())
                        .sentUs())
                .isEmpty();
    }

    @Test
    void aGrantIsRecordedAsSentOneAllowanceLaterAndOnlyALaterSendMovesIt() {
        Limit one = Limit.parse("1/6s");
        Budget.Granted granted = (Budget.Granted) Budget.decide(empty(0), one, MARGIN, null, LEASE, ALLOWANCE);
        assertThat(granted.sentUs()).isEqualTo(50_000);

        assertThat(Budget.sent(granted.row(), granted.sentUs(), 50_000)).isSameAs(granted.row());
        assertThat(((Budget.Wait) Budget.decide(at(granted.row(), 1), one, MARGIN, null, LEASE, ALLOWANCE)).untilUs())
                .isEqualTo(50_000 + SPAN);

        BudgetRow late = Budget.sent(granted.row(), granted.sentUs(), 50_001);
        assertThat(((Budget.Wait) Budget.decide(at(late, 1), one, MARGIN, null, LEASE, ALLOWANCE)).untilUs())
                .isEqualTo(50_001 + SPAN);
    }

    @Test
    void actualSendsStayNPerWindowAndMarginWhenOnlySendsLaterThanTheAllowanceAreCorrected() {
        BudgetRow row = empty(0);
        java.util.List<Long> actual = new java.util.ArrayList<>();
        java.util.Random random = new java.util.Random(7);
        long now = 0;
        int corrections = 0;
        for (int i = 0; i < 3_000; i++) {
            now += random.nextInt(100_000);
            Budget.Decision decision = Budget.decide(at(row, now), FIFTEEN_PER_SIX, MARGIN, null, LEASE, ALLOWANCE);
            row = decision.row();
            if (decision instanceof Budget.Granted granted) {
                // Most leave within the allowance, some later (up to three allowances).
                long sent = now + (random.nextInt(4) == 0 ? random.nextInt(150_000) : random.nextInt(50_000));
                actual.add(sent);
                if (sent > granted.sentUs()) {
                    row = Budget.sent(row, granted.sentUs(), sent);
                    corrections++;
                }
            }
        }
        java.util.Collections.sort(actual);
        for (int i = 15; i < actual.size(); i++) {
            assertThat(actual.get(i) - actual.get(i - 15)).isGreaterThanOrEqualTo(SPAN);
        }
        assertThat(actual.size()).isGreaterThan(100);
        assertThat(corrections).isPositive().isLessThan(actual.size() / 4);
    }

    private static BudgetRow granted(BudgetRow row) {
        Budget.Decision decision = Budget.decide(row, FIFTEEN_PER_SIX, MARGIN, null, LEASE, NONE);
        assertThat(decision).isInstanceOf(Budget.Granted.class);
        return decision.row();
    }

    private static BudgetRow empty(long nowUs) {
        return new BudgetRow(new long[0], new long[0], null, nowUs);
    }

    private static BudgetRow at(BudgetRow row, long nowUs) {
        return new BudgetRow(row.sentUs(), row.busyUntilUs(), row.pausedUntilUs(), nowUs);
    }
}
