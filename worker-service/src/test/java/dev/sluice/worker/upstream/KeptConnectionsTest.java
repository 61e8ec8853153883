package dev.sluice.worker.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Whether a call may skip the JDK's check of a kept connection: only when none it could get has idled a second. */
class KeptConnectionsTest {

    private static final long MS = 1_000_000L;
    private static final long T0 = 1_000_000 * MS;

    private final KeptConnections kept = new KeptConnections(Duration.ofSeconds(4));

    @Test
    void withNothingKeptTheJdkOpensAConnectionThatNeedsNoCheck() {
        assertThat(kept.allFresh(T0)).isTrue();
    }

    @Test
    void aConnectionIsFreshForASecondThenChecked() {
        kept.returning(T0);

        assertThat(kept.allFresh(T0 + 999 * MS)).isTrue();
        assertThat(kept.allFresh(T0 + 1_000 * MS)).isFalse();
        assertThat(kept.allFresh(T0 + 4_900 * MS)).isFalse();
    }

    @Test
    void aConnectionTheJdkNoLongerReusesIsForgottenAfterItsIdleLimitAndASecond() {
        kept.returning(T0);

        assertThat(kept.allFresh(T0 + 5_001 * MS)).isTrue();
        assertThat(kept.size()).isZero();
    }

    @Test
    void oneStaleConnectionBesideFreshOnesIsEnoughToCheck() {
        // The JDK hands out the connection kept last; a call made alongside others may get an older one.
        kept.returning(T0);
        kept.returning(T0 + 1_500 * MS);
        kept.returning(T0 + 1_600 * MS);

        assertThat(kept.allFresh(T0 + 1_700 * MS)).isFalse();
    }

    @Test
    void takingAConnectionTakesTheOneKeptLast() {
        kept.returning(T0);
        kept.returning(T0 + 1_500 * MS);

        kept.taken();
        assertThat(kept.allFresh(T0 + 1_700 * MS))
                .as("the connection idle since T0 is still kept")
                .isFalse();

        kept.taken();
        assertThat(kept.allFresh(T0 + 1_700 * MS)).isTrue();
        assertThat(kept.size()).isZero();
    }

    @Test
    void aConnectionTakenWhenNoneWasRecordedLeavesNothingBehind() {
        // A new connection: the JDK kept none.
        kept.taken();
        kept.returning(T0);

        assertThat(kept.size()).isOne();
        assertThat(kept.allFresh(T0 + 10 * MS)).isTrue();
    }
}
