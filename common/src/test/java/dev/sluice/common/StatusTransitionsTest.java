package dev.sluice.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class StatusTransitionsTest {

    @Test
    void terminalJobStatesAreNeverLeft() {
        for (JobStatus from : JobStatus.values()) {
            if (from.isTerminal()) {
                for (JobStatus to : JobStatus.values()) {
                    assertThat(from.canMoveTo(to)).as("%s -> %s", from, to).isFalse();
                }
            }
        }
    }

    @Test
    void aJobRunsOnlyAfterBeingQueuedAndMayBeRequeued() {
        assertThat(JobStatus.QUEUED.canMoveTo(JobStatus.RUNNING)).isTrue();
        assertThat(JobStatus.RUNNING.canMoveTo(JobStatus.QUEUED)).isTrue();
        assertThat(JobStatus.QUEUED.canMoveTo(JobStatus.SUCCEEDED)).isFalse();
        assertThat(JobStatus.RUNNING.canMoveTo(JobStatus.CANCELLED)).isFalse();
    }

    @Test
    void batchStatusesAreExactlyOpenAisAndTerminalOnesAreFinal() {
        assertThat(BatchStatus.values())
                .extracting(BatchStatus::wire)
                .containsExactlyInAnyOrder(
                        "validating",
                        "failed",
                        "in_progress",
                        "finalizing",
                        "completed",
                        "expired",
                        "cancelling",
                        "cancelled");
        for (BatchStatus from : BatchStatus.values()) {
            if (from.isTerminal()) {
                for (BatchStatus to : BatchStatus.values()) {
                    assertThat(from.canMoveTo(to)).isFalse();
                }
            }
        }
        assertThat(BatchStatus.IN_PROGRESS.canMoveTo(BatchStatus.FINALIZING)).isTrue();
    }

    @Test
    void aBatchIsStoredInProgressSoValidatingAndFailedAreNeverEnteredOrLeft() {
        for (BatchStatus from : BatchStatus.values()) {
            assertThat(from.canMoveTo(BatchStatus.VALIDATING))
                    .as("%s -> validating", from)
                    .isFalse();
            assertThat(from.canMoveTo(BatchStatus.FAILED))
                    .as("%s -> failed", from)
                    .isFalse();
            assertThat(BatchStatus.VALIDATING.canMoveTo(from))
                    .as("validating -> %s", from)
                    .isFalse();
        }
    }

    @Test
    void wireNamesRoundTripAndUnknownOnesAreRefused() {
        for (JobStatus status : JobStatus.values()) {
            assertThat(JobStatus.fromWire(status.wire())).isEqualTo(status);
        }
        assertThatIllegalArgumentException().isThrownBy(() -> JobStatus.fromWire("done"));
        assertThatIllegalArgumentException().isThrownBy(() -> BatchStatus.fromWire("in-progress"));
    }
}
