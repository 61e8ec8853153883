package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code /actuator/**} is the operator's: only health is open, the rest takes the admin key. */
class ActuatorAccessIT extends ApiTestBase {

    @ParameterizedTest(name = "{0} refuses tenants and strangers")
    @ValueSource(
            strings = {
                "/actuator/prometheus",
                "/actuator/env",
                "/actuator/metrics",
                "/actuator/beans",
                "/actuator",
                "/actuator/",
                "/actuator/prometheus;x=1",
                "/actuator/health/../prometheus"
            })
    void everyActuatorPathButHealthRefusesATenantKeyAndNoKey(String path) {
        Reply none = get(path, null);
        Reply tenant = get(path, newTenantKey());
        Reply wrong = get(path, ADMIN_KEY + "x");

        assertThat(none.status()).as("no key on %s: %s", path, none.body()).isEqualTo(401);
        assertThat(tenant.status())
                .as("tenant key on %s: %s", path, tenant.body())
                .isEqualTo(403);
        assertThat(wrong.status()).as("wrong key on %s: %s", path, wrong.body()).isEqualTo(401);
        for (Reply refused : new Reply[] {none, tenant, wrong}) {
            assertThat(refused.body()).doesNotContain("sluice_", "jvm_", "activeProfiles");
        }
    }

    @ParameterizedTest(name = "{0} does not reach the metrics")
    @ValueSource(
            strings = {
                "/actuator/health/%2e%2e/prometheus",
                "/actuator;x=1/prometheus",
                "//actuator/prometheus",
                "/ACTUATOR/prometheus",
                "/actuator/%70rometheus"
            })
    void oddSpellingsDoNotReachTheMetricsWithoutTheKey(String path) {
        Reply reply = get(path, null);
        assertThat(reply.status()).as("%s: %s", path, reply.body()).isNotEqualTo(200);
        assertThat(reply.body()).doesNotContain("sluice_", "jvm_");
    }

    @Test
    void theRefusalsAreOpenAiErrors() {
        Reply none = expect(401, get("/actuator/prometheus", null));
        assertThat(none.error().get("code").asString()).isEqualTo("invalid_admin_key");
        Reply tenant = expect(403, get("/actuator/env", newTenantKey()));
        assertThat(tenant.error().get("code").asString()).isEqualTo("insufficient_permissions");
    }

    @Test
    void theAdminKeyGetsTheMetrics() {
        Reply scrape = expect(200, get("/actuator/prometheus", ADMIN_KEY));
        assertThat(scrape.body()).contains("jvm_memory_used_bytes");
    }

    @ParameterizedTest(name = "{0} is open")
    @ValueSource(strings = {"/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness"})
    void healthAndItsProbesStayOpen(String path) {
        assertThat(expect(200, get(path, null)).json().get("status").asString()).isEqualTo("UP");
    }
}
