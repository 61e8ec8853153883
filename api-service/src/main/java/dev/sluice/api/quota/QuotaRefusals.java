package dev.sluice.api.quota;

import dev.sluice.api.web.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Builds the 429 {@code quota_exceeded} of a refused request and counts it, per quota, as
 * {@code sluice_quota_exceeded_total{quota}}.
 */
@Component
class QuotaRefusals {

    private final Map<Quota, Counter> refused = new EnumMap<>(Quota.class);

    QuotaRefusals(MeterRegistry meters) {
        for (Quota quota : Quota.values()) {
            refused.put(
                    quota,
                    Counter.builder("sluice.quota.exceeded")
                            .description("Requests refused with 429 quota_exceeded, by quota")
                            .tag("quota", quota.wire())
                            .register(meters));
        }
    }

    /** The 429 for {@code quota}: its limit, what is used and what was asked for; counted. */
    ApiException exceeded(Quota quota, long limit, long used, long requested) {
        refused.get(quota).increment();
        return ApiException.quotaExceeded(
                new ApiException.QuotaUse(quota.wire(), limit, used, requested),
                "Quota " + quota.wire() + " exceeded: limit " + limit + " " + quota.unit() + ", " + used
                        + " in use, this request needs " + requested + " more. Nothing was stored. "
                        + advice(quota));
    }

    private static String advice(Quota quota) {
        return switch (quota) {
            case QUEUED_JOBS -> "Wait for some of your jobs to finish (or cancel some), or submit fewer at once.";
            case STORED_BYTES -> "Delete files you no longer need (DELETE /v1/files/{id}) and upload again.";
            case EVENT_STREAMS -> "Close an event stream you no longer read, or poll GET /v1/batches/{id}.";
            case WAITING_FACADE_CALLS ->
                "Wait for a call in progress to return, or submit the work as a batch (POST /v1/batches).";
        };
    }
}
