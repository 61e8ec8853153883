package dev.sluice.api.metrics;

import dev.sluice.common.JobMessage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * The api-service's business metrics: {@code sluice_jobs_submitted_total{model}}, jobs stored by
 * {@code POST /v1/batches}, batch retries and {@code POST /v1/jobs} (an idempotent repeat stores nothing and
 * counts nothing). Catalogue: docs/operations.md.
 */
@Component
public class SubmissionMetrics {

    private final MeterRegistry meters;

    SubmissionMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    /** Counts newly stored jobs, by model. */
    public void submitted(List<JobMessage> jobs) {
        Map<String, Long> byModel =
                jobs.stream().collect(Collectors.groupingBy(JobMessage::model, Collectors.counting()));
        byModel.forEach((model, count) -> Counter.builder("sluice.jobs.submitted")
                .description("Jobs stored, by model")
                .tag("model", model)
                .register(meters)
                .increment(count));
    }
}
