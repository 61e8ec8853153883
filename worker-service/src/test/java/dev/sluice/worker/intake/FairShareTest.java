package dev.sluice.worker.intake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.db.lane.Lane;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FairShareTest {

    @Test
    void equalWeightsAlternate() {
        FairShare share = new FairShare(List.of(new Lane("a", 0, 1), new Lane("b", 0, 1)));

        assertThat(take(share, 6)).containsExactly("a", "b", "a", "b", "a", "b");
        assertThat(share.advanced()).containsExactlyInAnyOrderEntriesOf(Map.of("a", 3.0, "b", 3.0));
    }

    @Test
    void weightsThreeToOneServeThreeToOne() {
        FairShare share = new FairShare(List.of(new Lane("a", 0, 3), new Lane("b", 0, 1)));

        List<String> taken = take(share, 400);

        assertThat(counts(taken)).containsExactlyInAnyOrderEntriesOf(Map.of("a", 300L, "b", 100L));
        // Within any 4 consecutive takes both have had their turn: no burst of one.
        for (int i = 0; i + 4 <= taken.size(); i += 4) {
            assertThat(counts(taken.subList(i, i + 4))).containsEntry("a", 3L).containsEntry("b", 1L);
        }
    }

    @Test
    void aLaneBehindGoesFirstUntilItCatchesUp() {
        // A lane that entered later enters at the lowest pass of those waiting, so it goes next, not after the
        // others' backlog; passes carried from earlier takes (in the table) decide who is owed a turn.
        FairShare share = new FairShare(List.of(new Lane("a", 5, 1), new Lane("b", 3, 1)));

        assertThat(take(share, 5)).containsExactly("b", "b", "a", "b", "a");
    }

    @Test
    void anEmptiedLaneLeavesAndTheOthersGoOn() {
        FairShare share = new FairShare(List.of(new Lane("a", 0, 1), new Lane("b", 0, 1)));

        assertThat(share.next()).contains("a");
        share.emptied();
        assertThat(take(share, 3)).containsExactly("b", "b", "b");
        assertThat(share.advanced()).containsOnlyKeys("b");
        share.emptied();
        assertThat(share.next()).isEmpty();
    }

    @Test
    void aWeightBelowOneCountsAsOne() {
        FairShare share = new FairShare(List.of(new Lane("a", 0, 0), new Lane("b", 0, 1)));

        assertThat(counts(take(share, 10))).containsEntry("a", 5L).containsEntry("b", 5L);
    }

    private static List<String> take(FairShare share, int n) {
        List<String> taken = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String next = share.next().orElseThrow();
            share.took();
            taken.add(next);
        }
        return taken;
    }

    private static Map<String, Long> counts(List<String> taken) {
        return taken.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }
}
