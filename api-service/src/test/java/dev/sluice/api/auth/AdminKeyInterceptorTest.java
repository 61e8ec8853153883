package dev.sluice.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.web.ApiException;
import dev.sluice.db.tenant.Tenant;
import dev.sluice.db.tenant.TenantRepository;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.util.unit.DataSize;

class AdminKeyInterceptorTest {

    private final TenantRepository tenants = mock(TenantRepository.class);

    @Test
    void withoutAnAdminKeyTheAdminApiIsOff() {
        AdminKeyInterceptor interceptor = new AdminKeyInterceptor(properties(null), tenants);

        assertThatThrownBy(() -> interceptor.preHandle(request("anything"), new MockHttpServletResponse(), null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status().value()).isEqualTo(403);
                    assertThat(e.code()).isEqualTo("admin_api_disabled");
                });
    }

    @Test
    void acceptsOnlyTheAdminKey() {
        AdminKeyInterceptor interceptor = new AdminKeyInterceptor(properties("s3cret-admin"), tenants);
        when(tenants.findByKeyHash(any())).thenReturn(Optional.empty());

        assertThat(interceptor.preHandle(request("s3cret-admin"), new MockHttpServletResponse(), null)).isTrue();
        assertThatThrownBy(() -> interceptor.preHandle(request("s3cret-admiN"), new MockHttpServletResponse(), null))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status().value()).isEqualTo(401));
        assertThatThrownBy(() -> interceptor.preHandle(new MockHttpServletRequest(), new MockHttpServletResponse(),
                null)).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status().value()).isEqualTo(401));
    }

    @Test
    void aTenantKeyIsForbiddenRatherThanUnknown() {
        AdminKeyInterceptor interceptor = new AdminKeyInterceptor(properties("s3cret-admin"), tenants);
        when(tenants.findByKeyHash(any())).thenReturn(Optional.of(new Tenant("tenant_1", "t", "whsec_x")));

        assertThatThrownBy(() -> interceptor.preHandle(request("sk-sluice-tenant"), new MockHttpServletResponse(),
                null)).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status().value()).isEqualTo(403));
    }

    @Test
    void configurationNeverPrintsTheAdminKey() {
        assertThat(properties("s3cret-admin").toString()).doesNotContain("s3cret-admin").contains("***");
    }

    private static MockHttpServletRequest request(String key) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/admin/api-keys");
        request.addHeader("Authorization", "Bearer " + key);
        return request;
    }

    private static ApiProperties properties(String adminKey) {
        return new ApiProperties(adminKey,
                new ApiProperties.Input(DataSize.ofMegabytes(1), 10, 10, 16, 64, 512, Duration.ofHours(24),
                        DataSize.ofMegabytes(200), DataSize.ofMegabytes(10)),
                new ApiProperties.Dispatch(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(30),
                        1000, Duration.ofSeconds(90)),
                new ApiProperties.Webhook(false, Duration.ofHours(24)),
                new ApiProperties.Events(Duration.ofMillis(500), Duration.ofSeconds(15)), null);
    }
}
