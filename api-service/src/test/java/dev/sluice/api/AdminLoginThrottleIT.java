package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * Failed admin logins from one address are throttled with a 429 of their own, on {@code /admin/**} and
 * {@code /actuator/**} alike. Its own context (a low limit) so that other tests' wrong keys do not count.
 */
@TestPropertySource(properties = {"sluice.admin-login.max-failures=3", "sluice.admin-login.window=1h"})
class AdminLoginThrottleIT extends ApiTestBase {

    @Test
    void afterTooManyFailuresEvenTheRightKeyGets429WithRetryAfterUntilTheWindowPasses() throws Exception {
        for (int i = 0; i < 3; i++) {
            expect(401, get(i % 2 == 0 ? "/admin/api-keys" : "/actuator/prometheus", "wrong-admin-key-" + i));
        }

        for (String path : new String[] {"/admin/api-keys", "/actuator/prometheus"}) {
            HttpResponse<String> throttled = HTTP.send(request(path, ADMIN_KEY).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(throttled.statusCode()).as(path).isEqualTo(429);
            long retryAfter = Long.parseLong(throttled.headers().firstValue("Retry-After").orElseThrow());
            assertThat(retryAfter).isBetween(3500L, 3600L);
            Reply reply = new Reply(throttled.statusCode(), null, throttled.body());
            assertThat(reply.error().get("code").asString()).isEqualTo("too_many_failed_logins")
                    .isNotEqualTo("quota_exceeded");
            assertThat(reply.error().get("message").asString()).doesNotContain(ADMIN_KEY);
        }
        // Health and the tenant API are not behind the admin key, so not behind its throttle.
        expect(200, get("/actuator/health", null));
    }
}
