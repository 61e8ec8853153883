package dev.sluice.worker.pacing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Limit;
import dev.sluice.db.pacer.BudgetRow;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BudgetTest {

    private static final Limit FIFTEEN_PER_SIX = Limit.parse("15/6s");
    private static final Duration MARGIN = Duration.ofMillis(100);
    private static final Duration LEASE = Duration.ofMinutes(5);
    /** No send allowance: a grant is recorded as sent at its decision's instant. */
    private static final Duration NONE = Duration.ZERO;

    private static final Duration ALLOWANCE = Duration.ofMillis(50);
    private static final long SECOND = 1_000_000;
    /** For corrections of a send: only the longest span matters to them. */
    private static final Budget.Rules SENT_RULES =
            new Budget.Rules(List.of(Limit.parse("15/6s")), MARGIN, null, LEASE, Duration.ZERO);

    private static final long SPAN = 6 * SECOND + 100_000;

    @Test
    void grantsABurstOfNThenMakesTheNextWaitExactlyOneWindowAndMarginAfterTheFirst() {
        BudgetRow row = empty(0);
        for (int i = 0; i < 15; i++) {
            Budget.Decision decision =
                    Budget.decide(at(row, i * 100_000L), rules(FIFTEEN_PER_SIX, null, LEASE, NONE), 0);
            assertThat(decision).isInstanceOf(Budget.Granted.class);
            row = decision.row();
        }

        Budget.Decision sixteenth = Budget.decide(at(row, 1_500_000), rules(FIFTEEN_PER_SIX, null, LEASE, NONE), 0);

        assertThat(sixteenth).isInstanceOfSatisfying(Budget.Wait.class, wait -> {
            assertThat(wait.untilUs()).isEqualTo(SPAN);
            assertThat(wait.reason()).isEqualTo("15/6s");
        });
        assertThat(Budget.decide(at(row, SPAN - 1), rules(FIFTEEN_PER_SIX, null, LEASE, NONE), 0))
                .isInstanceOf(Budget.Wait.class);
        assertThat(Budget.decide(at(row, SPAN), rules(FIFTEEN_PER_SIX, null, LEASE, NONE), 0))
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
                    Budget.decide(at(row, sends[i] + SPAN - 1), rules(FIFTEEN_PER_SIX, null, LEASE, NONE), 0);
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
            Budget.Decision decision = Budget.decide(at(row, now), rules(FIFTEEN_PER_SIX, null, LEASE, NONE), 0);
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
    void aFullWindowThatOpensWithinTheLookaheadIsGrantedInAdvanceForTheInstantItOpens() {
        Budget.Rules rules = rules(FIFTEEN_PER_SIX, null, LEASE, ALLOWANCE);
        BudgetRow row = Budget.decideMany(empty(0), rules, new long[15]).row();
        // The burst is one entry (one slice), at the latest of its recorded sends: 50 ms after the grant, + 14 us.
        assertThat(row.sentUs()).containsExactly(50_014L);
        long opens = 50_014 + SPAN;

        Budget.Burst tooEarly = Budget.decideMany(at(row, opens - 200_001), rules, new long[15], 200_000);
        assertThat(tooEarly.grants()).isEmpty();
        assertThat(tooEarly.notBefore().untilUs()).isEqualTo(opens);

        Budget.Burst ahead = Budget.decideMany(at(row, opens - 200_000), rules, new long[20], 200_000);
        assertThat(ahead.atUs()).isEqualTo(opens);
        assertThat(ahead.grants()).hasSize(15);
        assertThat(ahead.grants().getFirst().sentUs())
                .as("recorded one allowance after")
                .isEqualTo(opens + 50_000);

        Budget.Burst again = Budget.decideMany(at(ahead.row(), opens - 100_000), rules, new long[1], 200_000);
        assertThat(again.grants()).as("the room opening then is taken").isEmpty();
        assertThat(again.notBefore().untilUs()).isGreaterThanOrEqualTo(opens + 50_000 + SPAN);
    }

    @Test
    void withoutALookaheadOrWhenPausedOrCappedNothingIsGrantedInAdvance() {
        Budget.Rules rules = rules(FIFTEEN_PER_SIX, null, LEASE, NONE);
        BudgetRow full = Budget.decideMany(empty(0), rules, new long[15]).row();
        assertThat(Budget.decideMany(at(full, SPAN - 1), rules, new long[1]).grants())
                .isEmpty();

        BudgetRow paused = Budget.pause(empty(0), 100_000);
        assertThat(Budget.decideMany(paused, rules, new long[1], 200_000).grants())
                .isEmpty();

        Budget.Rules capped = rules(Limit.parse("100/1s"), 1, Duration.ofMillis(150), NONE);
        BudgetRow busy = Budget.decideMany(empty(0), capped, new long[1]).row();
        assertThat(Budget.decideMany(at(busy, 1), capped, new long[1], 200_000).grants())
                .as("a lease ends when its request is answered, which no one can know in advance")
                .isEmpty();
    }

    @Test
    void sendsAtTheirGrantedInstantsStayNPerWindowWhenSomeAreGrantedInAdvanceAndOthersNot() {
        Budget.Rules rules = rules(FIFTEEN_PER_SIX, null, LEASE, ALLOWANCE);
        BudgetRow row = empty(0);
        List<Long> sends = new java.util.ArrayList<>();
        java.util.Random random = new java.util.Random(7);
        long now = 0;
        for (int i = 0; i < 3_000; i++) {
            now += random.nextInt(150_000);
            long lookahead = random.nextBoolean() ? 0 : random.nextInt(400_000);
            Budget.Burst burst = Budget.decideMany(at(row, now), rules, new long[1 + random.nextInt(4)], lookahead);
            row = burst.row();
            // Each leaves at the instant its grant is for, the moment it may: never before.
            burst.grants().forEach(granted -> sends.add(burst.atUs()));
        }
        java.util.Collections.sort(sends);
        for (int i = 15; i < sends.size(); i++) {
            assertThat(sends.get(i) - sends.get(i - 15)).isGreaterThanOrEqualTo(SPAN);
        }
        assertThat(sends.size()).isGreaterThan(300);
    }

    @Test
    void capsRequestsInFlightAndFreesOnRelease() {
        Limit generous = Limit.parse("100/1s");
        BudgetRow row = empty(0);
        Budget.Granted first = (Budget.Granted) Budget.decide(row, rules(generous, 2, LEASE, NONE), 0);
        Budget.Granted second = (Budget.Granted) Budget.decide(at(first.row(), 1), rules(generous, 2, LEASE, NONE), 0);

        Budget.Decision third = Budget.decide(at(second.row(), 2), rules(generous, 2, LEASE, NONE), 0);
        assertThat(third)
                .isInstanceOfSatisfying(
                        Budget.Wait.class, wait -> assertThat(wait.reason()).isEqualTo("concurrency"));

        BudgetRow released = Budget.release(second.row(), first.leaseUntilUs());
        assertThat(Budget.decide(at(released, 3), rules(generous, 2, LEASE, NONE), 0))
                .isInstanceOf(Budget.Granted.class);
    }

    @Test
    void aLeaseOfADeadWorkerLapses() {
        Limit generous = Limit.parse("100/1s");
        Budget.Granted held =
                (Budget.Granted) Budget.decide(empty(0), rules(generous, 1, Duration.ofSeconds(30), NONE), 0);

        assertThat(Budget.decide(at(held.row(), 29 * SECOND), rules(generous, 1, LEASE, NONE), 0))
                .isInstanceOf(Budget.Wait.class);
        assertThat(Budget.decide(at(held.row(), 30 * SECOND), rules(generous, 1, LEASE, NONE), 0))
                .isInstanceOf(Budget.Granted.class);
    }

    @Test
    void aLateSendMovesItsSlotLaterAndACancelledGrantFreesIt() {
        Budget.Granted granted =
                (Budget.Granted) Budget.decide(empty(0), rules(Limit.parse("1/6s"), null, LEASE, NONE), 0);

        BudgetRow late = Budget.sent(granted.row(), SENT_RULES, granted.sentUs(), 300_000, 0);
        assertThat(((Budget.Wait) Budget.decide(at(late, 1), rules(Limit.parse("1/6s"), null, LEASE, NONE), 0))
                        .untilUs())
                .isEqualTo(300_000 + SPAN);

        BudgetRow cancelled = Budget.cancel(granted.row(), SENT_RULES, granted.sentUs(), 0, granted.leaseUntilUs());
        assertThat(Budget.decide(at(cancelled, 1), rules(Limit.parse("1/6s"), null, LEASE, NONE), 0))
                .isInstanceOf(Budget.Granted.class);
    }

    @Test
    void aPauseHoldsEverythingUntilItEndsAndIsNeverShortened() {
        BudgetRow paused = Budget.pause(empty(0), 5 * SECOND);
        paused = Budget.pause(paused, 2 * SECOND);

        assertThat(Budget.decide(at(paused, 4 * SECOND), rules(FIFTEEN_PER_SIX, null, LEASE, NONE), 0))
                .isInstanceOfSatisfying(
                        Budget.Wait.class, wait -> assertThat(wait.untilUs()).isEqualTo(5 * SECOND));
        assertThat(Budget.decide(at(paused, 5 * SECOND), rules(FIFTEEN_PER_SIX, null, LEASE, NONE), 0))
                .isInstanceOf(Budget.Granted.class);
    }

    @Test
    void aLoweredLimitAppliesToSendsAlreadyMade() {
        BudgetRow row = empty(0);
        for (int i = 0; i < 10; i++) {
            row = granted(at(row, i * 100_000L));
        }
        Budget.Decision lowered = Budget.decide(at(row, 1_000_000), rules(Limit.parse("5/6s"), null, LEASE, NONE), 0);

        // Ten sends in the window, five allowed: the sixth most recent must leave first.
        assertThat(lowered)
                .isInstanceOfSatisfying(
                        Budget.Wait.class, wait -> assertThat(wait.untilUs()).isEqualTo(500_000 + SPAN));
    }

    @Test
    void aBurstIsGrantedInOneDecisionUpToTheLimitAndTheCap() {
        Budget.Burst burst = Budget.decideMany(empty(0), rules(FIFTEEN_PER_SIX, null, LEASE, NONE), new long[64]);
        assertThat(burst.grants()).hasSize(15);
        assertThat(burst.notBefore()).isNull();
        assertThat(requests(burst.row())).isEqualTo(15);

        Budget.Burst none =
                Budget.decideMany(at(burst.row(), 1), rules(FIFTEEN_PER_SIX, null, LEASE, NONE), new long[64]);
        assertThat(none.grants()).isEmpty();
        // The burst's sends are recorded a microsecond apart (each findable by its time) and merged into one entry
        // at the last of them: the next send waits for that one.
        assertThat(none.notBefore().untilUs()).isEqualTo(SPAN + 14);

        assertThat(Budget.decideMany(empty(0), rules(FIFTEEN_PER_SIX, 4, LEASE, NONE), new long[64])
                        .grants())
                .hasSize(4);
        assertThat(Budget.decideMany(empty(0), rules(FIFTEEN_PER_SIX, null, LEASE, NONE), new long[3])
                        .grants())
                .hasSize(3);
    }

    @Test
    void withoutAConcurrencyCapAGrantHoldsNoLeaseSoItsReleaseChangesNothing() {
        Budget.Granted granted = (Budget.Granted) Budget.decide(empty(0), rules(FIFTEEN_PER_SIX, null, LEASE, NONE), 0);

        assertThat(granted.leaseUntilUs()).isEqualTo(Budget.NO_LEASE);
        assertThat(granted.row().busyUntilUs()).isEmpty();
        assertThat(Budget.release(granted.row(), granted.leaseUntilUs())).isSameAs(granted.row());
        assertThat(Budget.cancel(granted.row(), SENT_RULES, granted.sentUs(), 0, granted.leaseUntilUs())
                        .sentUs())
                .isEmpty();
    }

    @Test
    void aGrantIsRecordedAsSentOneAllowanceLaterAndOnlyALaterSendMovesIt() {
        Limit one = Limit.parse("1/6s");
        Budget.Granted granted = (Budget.Granted) Budget.decide(empty(0), rules(one, null, LEASE, ALLOWANCE), 0);
        assertThat(granted.sentUs()).isEqualTo(50_000);

        assertThat(Budget.sent(granted.row(), SENT_RULES, granted.sentUs(), 50_000, 0))
                .isSameAs(granted.row());
        assertThat(((Budget.Wait) Budget.decide(at(granted.row(), 1), rules(one, null, LEASE, ALLOWANCE), 0)).untilUs())
                .isEqualTo(50_000 + SPAN);

        BudgetRow late = Budget.sent(granted.row(), SENT_RULES, granted.sentUs(), 50_001, 0);
        assertThat(((Budget.Wait) Budget.decide(at(late, 1), rules(one, null, LEASE, ALLOWANCE), 0)).untilUs())
                .isEqualTo(50_001 + SPAN);
    }

    @Test
    void aSendIsChargedItsLatenessBeyondTheAllowanceTwiceAndNothingWithinIt() {
        assertThat(Budget.chargedLateness(0, 50_000)).isZero();
        assertThat(Budget.chargedLateness(10_000, 50_000)).isEqualTo(20_000);
        assertThat(Budget.chargedLateness(25_000, 50_000)).isEqualTo(50_000);
        assertThat(Budget.chargedLateness(40_000, 50_000)).isEqualTo(50_000);
        assertThat(Budget.chargedLateness(50_000, 50_000)).isEqualTo(50_000);
        assertThat(Budget.chargedLateness(50_001, 50_000)).isEqualTo(50_002);
        assertThat(Budget.chargedLateness(300_000, 50_000)).isEqualTo(550_000);
        assertThat(Budget.chargedLateness(0, 0)).isZero();
        assertThat(Budget.chargedLateness(10_000, 0)).isEqualTo(20_000);
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
            Budget.Decision decision = Budget.decide(at(row, now), rules(FIFTEEN_PER_SIX, null, LEASE, ALLOWANCE), 0);
            row = decision.row();
            if (decision instanceof Budget.Granted granted) {
                // Most leave within the allowance, some later (up to three allowances).
                long sent = now + (random.nextInt(4) == 0 ? random.nextInt(150_000) : random.nextInt(50_000));
                actual.add(sent);
                if (sent > granted.sentUs()) {
                    row = Budget.sent(row, SENT_RULES, granted.sentUs(), sent, granted.tokens());
                    corrections++;
                }
            }
        }
        assertAtMostFifteenPerSpan(actual);
        assertThat(corrections).isPositive().isLessThan(actual.size() / 4);
    }

    @Test
    void actualSendsStayNPerWindowAndMarginWhenEverySendIsChargedTwiceItsLatenessEarlierOrLater() {
        BudgetRow row = empty(0);
        java.util.List<Long> actual = new java.util.ArrayList<>();
        java.util.Random random = new java.util.Random(13);
        long now = 0;
        int sooner = 0;
        for (int i = 0; i < 3_000; i++) {
            now += random.nextInt(100_000);
            Budget.Burst burst = Budget.decideMany(
                    at(row, now), rules(FIFTEEN_PER_SIX, null, LEASE, ALLOWANCE), new long[1 + random.nextInt(4)]);
            row = burst.grants().isEmpty() ? row : burst.row();
            for (Budget.Granted granted : burst.grants()) {
                // Most leave well within the allowance, some later (up to three allowances).
                long late = random.nextInt(4) == 0 ? random.nextInt(150_000) : random.nextInt(20_000);
                actual.add(now + late);
                long charged = now + Budget.chargedLateness(late, Budget.micros(ALLOWANCE));
                assertThat(charged).isGreaterThanOrEqualTo(now + late);
                sooner += charged < granted.sentUs() ? 1 : 0;
                row = Budget.sent(row, SENT_RULES, granted.sentUs(), charged, granted.tokens());
            }
        }
        assertAtMostFifteenPerSpan(actual);
        assertThat(sooner).as("sends moved sooner than their reservation").isGreaterThan(actual.size() / 2);
    }

    /** More than 100 actual sends, no 16 of them within one W + margin. */
    private static void assertAtMostFifteenPerSpan(java.util.List<Long> actual) {
        java.util.List<Long> sorted = actual.stream().sorted().toList();
        for (int i = 15; i < sorted.size(); i++) {
            assertThat(sorted.get(i) - sorted.get(i - 15)).isGreaterThanOrEqualTo(SPAN);
        }
        assertThat(sorted.size()).isGreaterThan(100);
    }

    @Test
    void everyLimitOfASetHoldsAtOnce() {
        // The same rate twice: 2 per 3 s and 30 per 45 s. Paced at either alone, the other is broken.
        Budget.Rules rules = rules(Limit.parse("2/3s"), Limit.parse("30/45s"));
        BudgetRow row = empty(0);
        List<Long> grants = new java.util.ArrayList<>();
        java.util.Random random = new java.util.Random(11);
        long now = 0;
        while (now < 200 * SECOND) {
            now += random.nextInt(200_000);
            Budget.Decision decision = Budget.decide(at(row, now), rules, 0);
            row = decision.row();
            if (decision instanceof Budget.Granted) {
                grants.add(now);
            }
        }
        long span3 = 3 * SECOND + 100_000;
        long span45 = 45 * SECOND + 100_000;
        for (int i = 2; i < grants.size(); i++) {
            assertThat(grants.get(i) - grants.get(i - 2)).isGreaterThanOrEqualTo(span3);
        }
        for (int i = 30; i < grants.size(); i++) {
            assertThat(grants.get(i) - grants.get(i - 30)).isGreaterThanOrEqualTo(span45);
        }
        // Close to the binding rate: 2 per 3.1 s over 200 s is 129 at most.
        assertThat(grants.size()).isGreaterThan(110);
    }

    @Test
    void theWaitNamesTheLimitThatHoldsLongest() {
        Budget.Rules rules = rules(Limit.parse("10/3s"), Limit.parse("25/12s"));
        BudgetRow row = empty(0);
        long now = 0;
        for (int sent = 0; sent < 25; ) {
            Budget.Decision decision = Budget.decide(at(row, now), rules, 0);
            row = decision.row();
            if (decision instanceof Budget.Granted) {
                sent++;
                now += 1_000;
            } else {
                now = ((Budget.Wait) decision).untilUs();
            }
        }

        Budget.Wait wait = (Budget.Wait) Budget.decide(at(row, now), rules, 0);

        assertThat(wait.reason()).isEqualTo("25/12s");
        assertThat(wait.untilUs()).isGreaterThanOrEqualTo(12 * SECOND);
    }

    @Test
    void tokensAreReservedAtTheGrantAndCountedAgainstEveryTokenWindow() {
        Budget.Rules rules = rules(Limit.parse("1000/6s"), Limit.parse("3000 tokens/6s"));
        BudgetRow row = empty(0);
        int granted = 0;
        Budget.Decision decision = Budget.decide(row, rules, 240);
        while (decision instanceof Budget.Granted grant) {
            assertThat(grant.tokens()).isEqualTo(240);
            granted++;
            row = grant.row();
            decision = Budget.decide(at(row, granted), rules, 240);
        }

        // 12 × 240 = 2,880 fit in 3,000; a 13th would need 3,120.
        assertThat(granted).isEqualTo(12);
        assertThat(decision)
                .isInstanceOfSatisfying(
                        Budget.Wait.class, wait -> assertThat(wait.reason()).isEqualTo("3000 tokens/6s"));
        assertThat(Budget.used(row, Limit.parse("3000 tokens/6s"), MARGIN)).isEqualTo(2_880);
        // A cheap request fits where an expensive one does not.
        assertThat(Budget.decide(at(row, 20), rules, 120)).isInstanceOf(Budget.Granted.class);
    }

    @Test
    void aSettledAnswerRefundsOrChargesWhatTheProviderCounted() {
        Budget.Rules rules = rules(Limit.parse("3000 tokens/6s"));
        Budget.Granted first = (Budget.Granted) Budget.decide(empty(0), rules, 2_000);
        assertThat(Budget.decide(at(first.row(), 1), rules, 1_500)).isInstanceOf(Budget.Wait.class);

        // The provider counted 1,200 of the 2,000 reserved: 800 come back.
        BudgetRow refunded = Budget.settle(first.row(), rules, first.sentUs(), 2_000, 1_200);
        assertThat(Budget.used(refunded.at(1), Limit.parse("3000 tokens/6s"), MARGIN))
                .isEqualTo(1_200);
        assertThat(Budget.decide(at(refunded, 2), rules, 1_500)).isInstanceOf(Budget.Granted.class);

        // It counted more than reserved: the extra is charged.
        BudgetRow charged = Budget.settle(first.row(), rules, first.sentUs(), 2_000, 2_900);
        assertThat(Budget.decide(at(charged, 2), rules, 200)).isInstanceOf(Budget.Wait.class);

        // Settled after its window passed: a refund has nothing to correct, an extra charge counts from now.
        BudgetRow later = first.row().at(10 * SECOND);
        assertThat(Budget.settle(later, rules, first.sentUs(), 2_000, 1_000)).isSameAs(later);
        BudgetRow lateCharge = Budget.settle(Budget.decide(later, rules, 0).row(), rules, first.sentUs(), 2_000, 2_500);
        assertThat(Budget.used(lateCharge, Limit.parse("3000 tokens/6s"), MARGIN))
                .isEqualTo(500);
    }

    @Test
    void aRequestLargerThanAWholeTokenWindowWaitsForAnEmptyWindowInsteadOfForever() {
        Budget.Rules rules = rules(Limit.parse("1000 tokens/6s"));
        Budget.Granted small = (Budget.Granted) Budget.decide(empty(0), rules, 100);

        Budget.Decision huge = Budget.decide(at(small.row(), 1), rules, 5_000);

        assertThat(huge)
                .isInstanceOfSatisfying(
                        Budget.Wait.class, w -> assertThat(w.untilUs()).isEqualTo(SPAN));
        assertThat(Budget.decide(at(small.row(), SPAN), rules, 5_000)).isInstanceOf(Budget.Granted.class);
    }

    @Test
    void atHighLimitsTheLedgerStaysSmallAndTheLimitHolds() {
        // 500 per second as 30,000 per minute, asked for in bursts every 10 ms for three minutes.
        Limit limit = Limit.parse("30000/60s");
        Budget.Rules rules = rules(limit);
        BudgetRow row = empty(0);
        List<long[]> grants = new java.util.ArrayList<>();
        int longest = 0;
        for (long now = 0; now < 180 * SECOND; now += 10_000) {
            Budget.Burst burst = Budget.decideMany(at(row, now), rules, new long[20]);
            row = burst.row();
            for (Budget.Granted granted : burst.grants()) {
                grants.add(new long[] {now});
            }
            longest = Math.max(longest, row.sentUs().length);
        }
        long span = 60 * SECOND + 100_000;
        for (int i = 30_000; i < grants.size(); i++) {
            assertThat(grants.get(i)[0] - grants.get(i - 30_000)[0]).isGreaterThanOrEqualTo(span);
        }
        // About 256 slices per window, whatever N is.
        assertThat(longest).isLessThanOrEqualTo(2 * Budget.RESOLUTION + 2);
        // Throughput: the ideal is 3 windows of 30,000 in 180 s less the margins; slicing costs under 1 %.
        assertThat(grants.size()).isGreaterThan((int) (0.98 * 3 * 30_000 * 60.0 / 60.1));
    }

    @Test
    void aLateSendOfAMergedBurstLeavesItsEntryAloneAndACancelTakesOneOut() {
        Budget.Rules rules = rules(Limit.parse("15/6s"));
        Budget.Burst burst = Budget.decideMany(empty(0), rules, new long[15]);
        Budget.Granted third = burst.grants().get(2);
        assertThat(burst.row().sentUs()).hasSize(1);
        long merged = burst.row().sentUs()[0];

        BudgetRow late = Budget.sent(burst.row(), SENT_RULES, third.sentUs(), 300_000, 0);
        assertThat(late.sentCounts()).containsExactly(14, 1);
        // The fourteen on-time sends free their slots one window and margin after the burst; the late one later.
        assertThat(((Budget.Wait) Budget.decide(at(late, 1), rules, 0)).untilUs())
                .isEqualTo(merged + SPAN);
        Budget.Burst next = Budget.decideMany(at(late, merged + SPAN), rules, new long[15]);
        assertThat(next.grants()).hasSize(14);
        assertThat(((Budget.Wait) Budget.decide(next.row(), rules, 0)).untilUs())
                .isEqualTo(300_000 + SPAN);

        BudgetRow cancelled = Budget.cancel(burst.row(), rules, third.sentUs(), 0, Budget.NO_LEASE);
        assertThat(requests(cancelled)).isEqualTo(14);
        assertThat(Budget.decide(at(cancelled, 2), rules, 0)).isInstanceOf(Budget.Granted.class);
    }

    @Test
    void roomCountsWhatTheGrantsWouldBeWithoutDecidingThem() {
        // Ledgers as real traffic leaves them: bursts granted now or in advance, a cap with leases released or not,
        // token windows with tokens spent, pauses; then at random instants the room of up to 0-200 free places is
        // counted in one pass and set beside deciding that many zero-token dispatches one by one.
        java.util.Random random = new java.util.Random(11);
        List<Budget.Rules> everyRules = List.of(
                rules(FIFTEEN_PER_SIX, null, LEASE, ALLOWANCE),
                rules(Limit.parse("500/1s"), null, LEASE, ALLOWANCE),
                rules(Limit.parse("100/1s"), 7, Duration.ofMillis(900), NONE),
                new Budget.Rules(
                        List.of(Limit.parse("40/2s"), Limit.parse("300/1m"), Limit.parse("20000 tokens/1m")),
                        MARGIN,
                        12,
                        Duration.ofSeconds(3),
                        ALLOWANCE));
        int compared = 0;
        int withRoom = 0;
        int withoutRoom = 0;
        int larger = 0;
        for (Budget.Rules rules : everyRules) {
            BudgetRow row = empty(0);
            long now = 0;
            for (int step = 0; step < 4_000; step++) {
                now += random.nextInt(60_000);
                row = at(row, now);
                int max = random.nextInt(200);
                long lookahead = random.nextBoolean() ? 0 : random.nextInt(300_000);
                Budget.Room room = Budget.room(row, rules, max, lookahead);
                Budget.Burst burst = Budget.decideMany(row, rules, new long[max], lookahead);
                compared++;
                assertThat(room.most())
                        .as("never fewer than the grants")
                        .isGreaterThanOrEqualTo(burst.grants().size());
                if (room.most() != burst.grants().size()) {
                    larger++;
                }
                if (burst.grants().isEmpty() && max > 0) {
                    assertThat(room.notBefore()).isEqualTo(burst.notBefore());
                }
                if (room.most() > 0) {
                    withRoom++;
                } else {
                    withoutRoom++;
                }
                // Traffic: a burst of dispatches with tokens, some leases released, now and then a pause.
                long[] tokens = new long[random.nextInt(6)];
                java.util.Arrays.setAll(tokens, i -> random.nextInt(500));
                Budget.Burst sent = Budget.decideMany(row, rules, tokens, lookahead);
                row = sent.row();
                for (Budget.Granted granted : sent.grants()) {
                    if (granted.leaseUntilUs() != Budget.NO_LEASE && random.nextInt(3) > 0) {
                        row = Budget.release(row, granted.leaseUntilUs());
                    }
                }
                if (random.nextInt(500) == 0) {
                    row = Budget.pause(row, now + random.nextInt(2_000_000));
                }
            }
        }
        assertThat(compared).isEqualTo(16_000);
        assertThat(withRoom).as("rooms counted").isGreaterThan(1_000);
        assertThat(withoutRoom).as("full windows met").isGreaterThan(1_000);
        assertThat(larger)
                .as("counts above the grants (an entry merged across a window's edge)")
                .isLessThan(compared / 100);
    }

    private static BudgetRow granted(BudgetRow row) {
        Budget.Decision decision = Budget.decide(row, rules(FIFTEEN_PER_SIX, null, LEASE, NONE), 0);
        assertThat(decision).isInstanceOf(Budget.Granted.class);
        return decision.row();
    }

    private static BudgetRow empty(long nowUs) {
        return BudgetRow.empty(nowUs);
    }

    private static BudgetRow at(BudgetRow row, long nowUs) {
        return row.at(nowUs);
    }

    private static Budget.Rules rules(Limit limit, Integer cap, Duration lease, Duration allowance) {
        return new Budget.Rules(List.of(limit), MARGIN, cap, lease, allowance);
    }

    private static Budget.Rules rules(Limit... limits) {
        return new Budget.Rules(List.of(limits), MARGIN, null, LEASE, NONE);
    }

    private static int requests(BudgetRow row) {
        return java.util.Arrays.stream(row.sentCounts()).sum();
    }
}
