package dev.sluice.api.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.JobMessage;
import dev.sluice.common.TokenEstimate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatchPublisherStepsTest {

    @Test
    void aBatchOnOneModelGoesOutInStepsOf16ThenFourTimesMore() {
        List<JobMessage> lines = lines(400, "m1");

        List<List<JobMessage>> steps = BatchPublisher.steps(lines);

        assertThat(steps).extracting(List::size).containsExactly(16, 64, 256, 64);
        assertThat(steps.stream().flatMap(List::stream).toList()).isEqualTo(lines);
    }

    @Test
    void theFirstStepHoldsEveryModelsFirstWindowOfAMixedBatch() {
        // 5 models, lines alternating over them as a mixed batch's usually do: 60 each.
        List<String> models = List.of("m1", "m2", "m3", "m4", "m5");
        List<JobMessage> lines = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            for (String model : models) {
                lines.add(message(model + "-" + i, model));
            }
        }

        List<List<JobMessage>> steps = BatchPublisher.steps(lines);

        assertThat(steps).extracting(List::size).containsExactly(80, 220);
        for (String model : models) {
            assertThat(steps.getFirst())
                    .filteredOn(m -> m.model().equals(model))
                    .extracting(JobMessage::jobId)
                    .as("the lead of %s: its first 16 lines", model)
                    .containsExactlyElementsOf(IntStream.range(0, 16)
                            .mapToObj(i -> model + "-" + i)
                            .toList());
            assertThat(steps.stream()
                            .flatMap(List::stream)
                            .filter(m -> m.model().equals(model))
                            .map(JobMessage::jobId)
                            .toList())
                    .as("each lane's messages keep their order")
                    .containsExactlyElementsOf(IntStream.range(0, 60)
                            .mapToObj(i -> model + "-" + i)
                            .toList());
        }
    }

    @Test
    void aSmallBatchIsOneStepAndAnEmptyOneNone() {
        assertThat(BatchPublisher.steps(lines(3, "m1"))).hasSize(1);
        assertThat(BatchPublisher.steps(List.of())).isEmpty();
    }

    private static List<JobMessage> lines(int n, String model) {
        return IntStream.range(0, n).mapToObj(i -> message("job-" + i, model)).toList();
    }

    private static JobMessage message(String id, String model) {
        return new JobMessage(id, model, "tenant-1", 0, new TokenEstimate(10, null));
    }
}
