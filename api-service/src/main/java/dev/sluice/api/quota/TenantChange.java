package dev.sluice.api.quota;

import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.JsonInput;
import dev.sluice.db.tenant.TenantSettingsChange;
import java.math.BigDecimal;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JsonToken;

/**
 * Reads the body of {@code PATCH /admin/tenants/{id}}: {@code {weight?, quotas?: {queued_jobs?, stored_bytes?,
 * event_streams?, waiting_facade_calls?}}}. Only the fields present change; a quota given as null returns to the
 * default, {@code weight} null returns to 1. Every refusal is a 400 naming the field.
 */
final class TenantChange {

    /** The largest weight: far beyond any sensible ratio, far from overflow in share arithmetic. */
    static final int MAX_WEIGHT = 10_000;

    /** The largest quota value (about 9 × 10^15): beyond any real use, and exact as a JSON number in JavaScript. */
    static final long MAX_QUOTA = 9_007_199_254_740_991L;

    private TenantChange() {}

    static TenantSettingsChange read(byte[] body) {
        Integer weight = null;
        boolean weightGiven = false;
        Map<Quota, Long> quotas = new EnumMap<>(Quota.class);
        Set<Quota> given = new HashSet<>();
        Set<String> seen = new HashSet<>();
        try (JsonInput json = JsonInput.objectOf(body)) {
            for (String field = json.nextField(seen, null); field != null; field = json.nextField(seen, null)) {
                switch (field) {
                    case "weight" -> {
                        weightGiven = true;
                        weight = weight(json.decimalOrNull("weight"));
                    }
                    case "quotas" -> readQuotas(json, quotas, given);
                    default ->
                        throw ApiException.invalid(
                                field,
                                "unknown_parameter",
                                "Unrecognized parameter '" + field + "'; a tenant takes 'weight' and 'quotas'.");
                }
            }
            json.end();
        }
        return new TenantSettingsChange(
                weightGiven,
                weight == null ? 1 : weight,
                given.contains(Quota.QUEUED_JOBS),
                quotas.get(Quota.QUEUED_JOBS),
                given.contains(Quota.STORED_BYTES),
                quotas.get(Quota.STORED_BYTES),
                given.contains(Quota.EVENT_STREAMS),
                quotas.get(Quota.EVENT_STREAMS),
                given.contains(Quota.WAITING_FACADE_CALLS),
                quotas.get(Quota.WAITING_FACADE_CALLS));
    }

    private static void readQuotas(JsonInput json, Map<Quota, Long> quotas, Set<Quota> given) {
        if (json.token() != JsonToken.START_OBJECT) {
            throw json.wrongType("quotas", "an object");
        }
        Set<String> seen = new HashSet<>();
        for (String field = json.nextField(seen, "quotas"); field != null; field = json.nextField(seen, "quotas")) {
            Quota quota = byWire(field);
            String param = "quotas." + field;
            given.add(quota);
            BigDecimal value = json.decimalOrNull(param);
            if (value != null) {
                quotas.put(quota, quotaValue(param, value));
            }
        }
    }

    private static Quota byWire(String field) {
        for (Quota quota : Quota.values()) {
            if (quota.wire().equals(field)) {
                return quota;
            }
        }
        throw ApiException.invalid(
                "quotas." + field,
                "unknown_parameter",
                "Unrecognized quota '" + field
                        + "'; quotas are 'queued_jobs', 'stored_bytes', 'event_streams' and 'waiting_facade_calls'.");
    }

    private static Integer weight(BigDecimal value) {
        if (value == null) {
            return null;
        }
        if (!whole(value)
                || value.compareTo(BigDecimal.ONE) < 0
                || value.compareTo(BigDecimal.valueOf(MAX_WEIGHT)) > 0) {
            throw ApiException.invalid(
                    "weight",
                    "invalid_weight",
                    "'weight' must be a whole number from 1 to " + MAX_WEIGHT + ", or null for the default 1; got "
                            + value.toPlainString() + ".");
        }
        return value.intValueExact();
    }

    private static long quotaValue(String param, BigDecimal value) {
        if (!whole(value) || value.signum() < 0 || value.compareTo(BigDecimal.valueOf(MAX_QUOTA)) > 0) {
            throw ApiException.invalid(
                    param,
                    "invalid_quota",
                    "'" + param + "' must be a whole number from 0 to " + MAX_QUOTA
                            + ", or null to return to the default; got " + value.toPlainString() + ".");
        }
        return value.longValueExact();
    }

    private static boolean whole(BigDecimal value) {
        return value.signum() == 0 || value.stripTrailingZeros().scale() <= 0;
    }
}
