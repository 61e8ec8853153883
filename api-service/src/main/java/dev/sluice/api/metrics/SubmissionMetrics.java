package dev.sluice.api.metrics;

import dev.sluice.common.JobMessage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * The api-service's business metrics: {@code sluice_jobs_submitted_total{model}} (a known model, else {@code other}: {@link ModelTags}), jobs stored by
 * {@code POST /v1/batches}, batch retries and {@code POST /v1/jobs} (an idempotent repeat stores nothing and
 * counts nothing). Catalogue: docs/operations.md.
 */
@Component
public class SubmissionMetrics {

    private final MeterRegistry meters;
    private final ModelTags tags;

    SubmissionMetrics(MeterRegistry meters, ModelTags tags) {
        this.meters = meters;
        this.tags = tags;
    }

    /** Counts newly stored jobs, by model. */
    public void submitted(List<JobMessage> jobs) {
        Map<String, Long> byModel =
                jobs.stream().collect(Collectors.groupingBy(job -> tags.tag(job.model()), Collectors.counting()));
        byModel.forEach((model, count) -> Counter.builder("sluice.jobs.submitted")
                .description("Jobs stored, by model")
                .tag("model", model)
                .register(meters)
                .increment(count));
    }
}
