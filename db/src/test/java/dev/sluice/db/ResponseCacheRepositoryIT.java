package dev.sluice.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Ids;
import dev.sluice.db.cache.CacheKey;
import dev.sluice.db.cache.CachedResponse;
import dev.sluice.db.cache.ResponseCacheRepository;
import dev.sluice.db.tenant.TenantEntityRepository;
import dev.sluice.testsupport.TestInfrastructure;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(classes = DbTestApplication.class)
class ResponseCacheRepositoryIT {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final Duration TTL = Duration.ofHours(1);

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
    }

    @Autowired
    ResponseCacheRepository cache;

    @Autowired
    TenantEntityRepository tenants;

    @Test
    void anAnswerIsServedToItsTenantUntilItExpiresAndANewerOneReplacesIt() {
        String alice = tenant();
        String bob = tenant();
        byte[] key = CacheKey.of("/v1/embeddings", "{\"model\":\"e\",\"input\":\"" + Ids.random(8) + "\"}")
                .orElseThrow();
        cache.put(alice, key, "/v1/embeddings", new CachedResponse(200, "{\"v\":1}", 3, null, 3), NOW, NOW.plus(TTL));

        assertThat(cache.find(alice, key, NOW.plusSeconds(1)))
                .get()
                .extracting(CachedResponse::responseBody)
                .isEqualTo("{\"v\":1}");
        assertThat(cache.find(bob, key, NOW.plusSeconds(1))).isEmpty();
        assertThat(cache.find(alice, key, NOW.plus(TTL))).isEmpty();

        cache.put(
                alice,
                key,
                "/v1/embeddings",
                new CachedResponse(200, "{\"v\":2}", 3, null, 3),
                NOW.plus(TTL),
                NOW.plus(TTL).plus(TTL));
        assertThat(cache.find(alice, key, NOW.plus(TTL)))
                .get()
                .extracting(CachedResponse::responseBody)
                .isEqualTo("{\"v\":2}");
    }

    @Test
    void expiredAnswersArePurged() {
        String tenant = tenant();
        byte[] key = CacheKey.of("/v1/embeddings", "{\"model\":\"e\",\"input\":\"" + Ids.random(8) + "\"}")
                .orElseThrow();
        cache.put(tenant, key, "/v1/embeddings", new CachedResponse(200, "{}", null, null, null), NOW, NOW.plus(TTL));

        assertThat(cache.deleteExpired(NOW.plus(TTL).plus(TTL.multipliedBy(24 * 365))))
                .isGreaterThanOrEqualTo(1);
        assertThat(cache.find(tenant, key, NOW)).isEmpty();
    }

    private String tenant() {
        String tenantId = Ids.tenant();
        tenants.createTenantWithKey(tenantId, Ids.apiKey(), "t", Ids.random(32).getBytes(), "sk-x", "whsec_x", NOW);
        return tenantId;
    }
}
