package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code /actuator/prometheus} of the api-service, scraped over HTTP as Prometheus does, with the admin key. */
class SubmissionMetricsIT extends ApiTestBase {

    @Test
    void submittedJobsAreCountedByModelOnceEvenWhenTheRequestIsRepeated() {
        String key = newTenantKey();
        String model = uniqueModel("counted");
        assertThat(submitted(model)).isZero();

        String body = aChatBatch().requests(3, model).json();
        expect(
                200,
                send(request("/v1/batches", key)
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", "count-once")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build()));
        expect(
                200,
                send(request("/v1/batches", key)
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", "count-once")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build()));
        expect(
                202,
                post(
                        "/v1/jobs",
                        key,
                        "{\"url\":\"/v1/embeddings\",\"body\":{\"model\":\"" + model + "\",\"input\":\"hi\"}}"));

        assertThat(submitted(model)).isEqualTo(4.0);
    }

    private double submitted(String model) {
        Reply scrape = expect(200, get("/actuator/prometheus", ADMIN_KEY));
        Matcher sample = Pattern.compile(
                        "^sluice_jobs_submitted_total\\{[^}]*model=\"" + Pattern.quote(model) + "\"[^}]*\\} (\\S+)$",
                        Pattern.MULTILINE)
                .matcher(scrape.body());
        return sample.find() ? Double.parseDouble(sample.group(1)) : 0;
    }
}
