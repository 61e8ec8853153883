package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
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
            HttpResponse<String> throttled =
                    HTTP.send(request(path, ADMIN_KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(throttled.statusCode()).as(path).isEqualTo(429);
            long retryAfter =
                    Long.parseLong(throttled.headers().firstValue("Retry-After").orElseThrow());
            assertThat(retryAfter).isBetween(3500L, 3600L);
            Reply reply = new Reply(throttled.statusCode(), null, throttled.body());
            assertThat(reply.error().get("code").asString())
                    .isEqualTo("too_many_failed_logins")
                    .isNotEqualTo("quota_exceeded");
            assertThat(reply.error().get("message").asString()).doesNotContain(ADMIN_KEY);
        }
        // The dashboard's sign-in form is the same door: the right key is refused there too, and says why.
        HttpResponse<String> signIn = HTTP.send(
                request("/dashboard/sign-in", null)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("admin_key=" + ADMIN_KEY))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(signIn.statusCode()).isEqualTo(429);
        assertThat(signIn.headers().allValues("Set-Cookie")).isEmpty();
        assertThat(signIn.body()).contains("Too many failed sign-ins").doesNotContain(ADMIN_KEY);
        // Health and the tenant API are not behind the admin key, so not behind its throttle.
        expect(200, get("/actuator/health", null));
    }
}
