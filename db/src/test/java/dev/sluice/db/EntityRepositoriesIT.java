package dev.sluice.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Ids;
import dev.sluice.db.file.FileEntityRepository;
import dev.sluice.db.file.FileRow;
import dev.sluice.db.ratelimit.RateLimitEvent;
import dev.sluice.db.ratelimit.RateLimitEventEntityRepository;
import dev.sluice.db.ratelimit.RateLimitEventRepository;
import dev.sluice.db.tenant.ApiKey;
import dev.sluice.db.tenant.TenantEntityRepository;
import dev.sluice.db.tenant.TenantRepository;
import dev.sluice.db.webhook.WebhookDelivery;
import dev.sluice.db.webhook.WebhookDeliveryEntityRepository;
import dev.sluice.db.webhook.WebhookDeliveryRepository;
import dev.sluice.testsupport.TestInfrastructure;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The api-service's entity repositories (JPA) read back what they and the SQL repositories both services share
 * wrote, with their filters, order and limits.
 */
@SpringBootTest(classes = DbTestApplication.class)
class EntityRepositoriesIT {

    private static final Instant NOW = Instant.parse("2026-12-04T08:00:00Z");

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
    }

    @Autowired
    TenantEntityRepository tenants;

    @Autowired
    TenantRepository keys;

    @Autowired
    FileEntityRepository files;

    @Autowired
    WebhookDeliveryRepository deliveryLog;

    @Autowired
    WebhookDeliveryEntityRepository deliveries;

    @Autowired
    RateLimitEventRepository rateLimitLog;

    @Autowired
    RateLimitEventEntityRepository rateLimitEvents;

    @Autowired
    JdbcClient jdbc;

    private final String tenantId = Ids.tenant();
    private final String keyId = Ids.apiKey();
    private final byte[] keyHash = Ids.random(32).getBytes();

    @BeforeEach
    void tenant() {
        tenants.createTenantWithKey(tenantId, keyId, "entities", keyHash, "sk-e", "whsec_e", NOW);
    }

    @Test
    void aKeyFindsItsTenantUntilItIsRevoked() {
        assertThat(tenants.findByKeyHash(keyHash))
                .get()
                .satisfies(t -> assertThat(t.id()).isEqualTo(tenantId));
        assertThat(tenants.listKeys()).extracting(ApiKey::id).contains(keyId);

        assertThat(keys.revokeKey(keyId, NOW.plusSeconds(1))).isTrue();

        assertThat(tenants.findByKeyHash(keyHash)).isEmpty();
        assertThat(tenants.listKeys())
                .filteredOn(key -> key.id().equals(keyId))
                .singleElement()
                .satisfies(key -> assertThat(key.revokedAt()).isEqualTo(NOW.plusSeconds(1)));
        assertThat(tenants.findById(tenantId)).isPresent();
    }

    @Test
    void filesPageByPurposeAfterACursorAndAreDeletedOnlyByTheirTenant() {
        List<String> ids = List.of(Ids.file(), Ids.file(), Ids.file());
        ids.forEach(id -> files.insertInputFile(id, tenantId, id + ".jsonl", NOW));

        assertThat(files.page(tenantId, null, null, true, 10))
                .extracting(FileRow::id)
                .containsExactly(ids.get(2), ids.get(1), ids.get(0));
        assertThat(files.page(tenantId, "batch", ids.get(0), false, 1))
                .extracting(FileRow::id)
                .containsExactly(ids.get(1));
        assertThat(files.page(tenantId, "batch_output", null, true, 10)).isEmpty();
        assertThat(files.page(tenantId, null, "file-unknown", true, 10)).isEmpty();

        assertThat(files.delete(Ids.tenant(), ids.get(0))).isFalse();
        assertThat(files.delete(tenantId, ids.get(0))).isTrue();
        assertThat(files.find(tenantId, ids.get(0))).isEmpty();
    }

    @Test
    void deliveriesAreListedPerSubjectAndForTheOperator() {
        String eventId = Ids.event();
        String subjectId = Ids.batch();
        jdbc.sql("""
                INSERT INTO webhook_events (id, tenant_id, subject_id, type, url, payload, status, created_at)
                VALUES (:id, :tenantId, :subjectId, 'batch.completed', 'https://example.com/h', '{}', 'failed', :now)
                """)
                .param("id", eventId)
                .param("tenantId", tenantId)
                .param("subjectId", subjectId)
                .param("now", Timestamps.bind(NOW))
                .update();
        for (int attempt = 1; attempt <= 3; attempt++) {
            deliveryLog.insert(new WebhookDelivery(
                    "whdel_" + eventId + attempt,
                    eventId,
                    null,
                    tenantId,
                    subjectId,
                    attempt,
                    "https://example.com/h",
                    attempt == 3 ? "delivered" : "failed",
                    500,
                    "x".repeat(600),
                    20,
                    NOW.plusSeconds(attempt),
                    null));
        }

        List<WebhookDelivery> listed = deliveries.listForSubject(tenantId, subjectId);
        assertThat(listed).extracting(WebhookDelivery::attempt).containsExactly(1, 2, 3);
        assertThat(listed.getFirst().eventType()).isEqualTo("batch.completed");
        assertThat(listed.getFirst().error()).hasSize(500);
        assertThat(deliveries.recent("failed", subjectId, null, 10))
                .extracting(WebhookDelivery::attempt)
                .containsExactly(2, 1);
        assertThat(deliveries.recent(null, null, tenantId, 1))
                .extracting(WebhookDelivery::attempt)
                .containsExactly(3);
        assertThat(deliveries.find("whdel_" + eventId + 2))
                .get()
                .satisfies(d -> assertThat(d.tenantId()).isEqualTo(tenantId));
        assertThat(deliveries.find(Ids.tenant(), subjectId, "whdel_" + eventId + 2))
                .isEmpty();
    }

    @Test
    void rateLimitEventsAreReadNewestFirstOrByJob() {
        String model = "entities-" + Ids.random(8);
        for (int i = 0; i < 3; i++) {
            rateLimitLog.record(new RateLimitEvent(
                    0,
                    model,
                    "cred",
                    i == 1 ? "job_other" : "job_one",
                    NOW.plusSeconds(i),
                    "m".repeat(700),
                    null,
                    null,
                    null));
        }

        List<RateLimitEvent> recent = rateLimitEvents.recent(model, null, 10);
        assertThat(recent)
                .extracting(RateLimitEvent::occurredAt)
                .containsExactly(NOW.plusSeconds(2), NOW.plusSeconds(1), NOW);
        assertThat(recent.getFirst().message()).hasSize(500);
        assertThat(rateLimitEvents.recent(model, recent.getFirst().id(), 1))
                .extracting(RateLimitEvent::occurredAt)
                .containsExactly(NOW.plusSeconds(1));
        assertThat(rateLimitEvents.ofJob(model, "job_one", 10))
                .extracting(RateLimitEvent::occurredAt)
                .containsExactly(NOW, NOW.plusSeconds(2));
    }
}
