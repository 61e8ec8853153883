package dev.sluice.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.SettableClock;
import dev.sluice.api.web.ApiException;
import dev.sluice.db.tenant.Tenant;
import dev.sluice.db.tenant.TenantEntityRepository;
import jakarta.servlet.http.Cookie;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.util.unit.DataSize;

class AdminKeyInterceptorTest {

    private final TenantEntityRepository tenants = mock(TenantEntityRepository.class);

    @Test
    void withoutAnAdminKeyTheAdminApiIsOff() {
        AdminKeyInterceptor interceptor = interceptor(null);

        assertThatThrownBy(() -> interceptor.preHandle(request("anything"), new MockHttpServletResponse(), null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status().value()).isEqualTo(403);
                    assertThat(e.code()).isEqualTo("admin_api_disabled");
                });
    }

    @Test
    void acceptsOnlyTheAdminKey() {
        AdminKeyInterceptor interceptor = interceptor("s3cret-admin-key-0001");
        when(tenants.findByKeyHash(any())).thenReturn(Optional.empty());

        assertThat(interceptor.preHandle(request("s3cret-admin-key-0001"), new MockHttpServletResponse(), null))
                .isTrue();
        assertThatThrownBy(() ->
                        interceptor.preHandle(request("s3cret-admin-key-000l"), new MockHttpServletResponse(), null))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status().value()).isEqualTo(401));
        assertThatThrownBy(
                        () -> interceptor.preHandle(new MockHttpServletRequest(), new MockHttpServletResponse(), null))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status().value()).isEqualTo(401));
    }

    @Test
    void aTenantKeyIsForbiddenRatherThanUnknown() {
        AdminKeyInterceptor interceptor = interceptor("s3cret-admin-key-0001");
        when(tenants.findByKeyHash(any())).thenReturn(Optional.of(new Tenant("tenant_1", "t", "whsec_x")));

        assertThatThrownBy(
                        () -> interceptor.preHandle(request("sk-sluice-tenant"), new MockHttpServletResponse(), null))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status().value()).isEqualTo(403));
    }

    @Test
    void configurationNeverPrintsTheAdminKey() {
        assertThat(properties("s3cret-admin-key-0001").toString())
                .doesNotContain("s3cret-admin-key-0001")
                .contains("***");
    }

    @Test
    void aThrottledAddressGets429WithRetryAfterEvenForTheRightKey() {
        AdminKeyInterceptor interceptor = interceptor("s3cret-admin-key-0001");
        when(tenants.findByKeyHash(any())).thenReturn(Optional.empty());
        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> interceptor.preHandle(
                            request("wrong-" + Math.random()), new MockHttpServletResponse(), null))
                    .isInstanceOfSatisfying(
                            ApiException.class,
                            e -> assertThat(e.status().value()).isEqualTo(401));
        }

        MockHttpServletResponse response = new MockHttpServletResponse();
        assertThatThrownBy(() -> interceptor.preHandle(request("s3cret-admin-key-0001"), response, null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status().value()).isEqualTo(429);
                    assertThat(e.code()).isEqualTo("too_many_failed_logins");
                });
        assertThat(response.getHeader("Retry-After")).isEqualTo("60");
    }

    @Test
    void anAdminKeyShorterThan16CharactersStopsTheServiceNamingTheVariableButNotTheKey() {
        assertThatThrownBy(() -> properties("sk-admin-local"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SLUICE_ADMIN_KEY")
                .hasMessageContaining("16")
                .hasMessageNotContaining("sk-admin-local");
        assertThat(properties("0123456789abcdef").adminEnabled()).isTrue();
    }

    @Test
    void theDashboardSessionReadsFreelyButChangesOnlyWithItsCsrfToken() {
        AdminKeyInterceptor interceptor = interceptor("s3cret-admin-key-0001");
        String token = sessions("s3cret-admin-key-0001").newToken();

        assertThat(interceptor.preHandle(withSession("GET", token, null), new MockHttpServletResponse(), null))
                .isTrue();
        assertThat(interceptor.preHandle(
                        withSession(
                                "POST", token, sessions("s3cret-admin-key-0001").csrfOf(token)),
                        new MockHttpServletResponse(),
                        null))
                .isTrue();
        assertThatThrownBy(() ->
                        interceptor.preHandle(withSession("POST", token, null), new MockHttpServletResponse(), null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status().value()).isEqualTo(403);
                    assertThat(e.code()).isEqualTo("invalid_csrf_token");
                });
        assertThatThrownBy(() -> interceptor.preHandle(
                        withSession(
                                "POST", token, sessions("s3cret-admin-key-0001").csrfOf(token + "x")),
                        new MockHttpServletResponse(),
                        null))
                .isInstanceOf(ApiException.class);
        // A session signed under another admin key, or a forged one, is no session at all.
        String foreign = sessions("other-admin-key-0002").newToken();
        assertThatThrownBy(() ->
                        interceptor.preHandle(withSession("GET", foreign, null), new MockHttpServletResponse(), null))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status().value()).isEqualTo(401));
        String forged = token.substring(0, token.lastIndexOf('.') + 1) + "AAAA";
        assertThatThrownBy(() ->
                        interceptor.preHandle(withSession("GET", forged, null), new MockHttpServletResponse(), null))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status().value()).isEqualTo(401));
    }

    @Test
    void aSessionEndsAfterItsLifetime() {
        SettableClock clock = new SettableClock(Instant.parse("2026-12-04T08:00:00Z"));
        AdminSessions sessions = new AdminSessions(properties("s3cret-admin-key-0001"), clock);
        String token = sessions.newToken();
        assertThat(sessions.valid(token)).isTrue();

        clock.advance(AdminSessions.LIFETIME);

        assertThat(sessions.valid(token)).isFalse();
    }

    private AdminKeyInterceptor interceptor(String adminKey) {
        return new AdminKeyInterceptor(
                new AdminKeyCheck(
                        properties(adminKey),
                        new AdminLoginSettings(10, Duration.ofMinutes(1)),
                        Clock.fixed(Instant.EPOCH, ZoneOffset.UTC)),
                tenants,
                sessions(adminKey));
    }

    private static AdminSessions sessions(String adminKey) {
        return new AdminSessions(properties(adminKey), Clock.systemUTC());
    }

    private static MockHttpServletRequest withSession(String method, String token, String csrf) {
        MockHttpServletRequest request = new MockHttpServletRequest(method, "/admin/pause");
        request.setCookies(new Cookie(AdminSessions.SESSION_COOKIE, token));
        if (csrf != null) {
            request.addHeader(AdminSessions.CSRF_HEADER, csrf);
        }
        return request;
    }

    private static MockHttpServletRequest request(String key) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/admin/api-keys");
        request.addHeader("Authorization", "Bearer " + key);
        return request;
    }

    static ApiProperties properties(String adminKey) {
        return new ApiProperties(
                adminKey,
                new ApiProperties.Input(
                        DataSize.ofMegabytes(1),
                        10,
                        10,
                        16,
                        64,
                        512,
                        Duration.ofHours(24),
                        DataSize.ofMegabytes(200),
                        DataSize.ofMegabytes(10)),
                new ApiProperties.Dispatch(
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(60),
                        Duration.ofSeconds(30),
                        1000,
                        Duration.ofSeconds(90)),
                new ApiProperties.Webhook(false, Duration.ofHours(24)),
                new ApiProperties.Events(Duration.ofMillis(500), Duration.ofSeconds(15)),
                null,
                null,
                null,
                null,
                null,
                null);
    }
}
