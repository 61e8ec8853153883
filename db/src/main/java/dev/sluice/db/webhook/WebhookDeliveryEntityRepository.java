package dev.sluice.db.webhook;

import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Repository;

/**
 * The webhook delivery attempts as the api-service lists them to tenants and operators, read with JPA: present
 * only where JPA is (the api-service, see {@code JpaConfiguration}). Workers insert them in SQL
 * ({@link WebhookDeliveryRepository}).
 */
@Repository
@ConditionalOnClass(EntityManager.class)
public class WebhookDeliveryEntityRepository {

    private final WebhookDeliveryEntities deliveries;

    WebhookDeliveryEntityRepository(WebhookDeliveryEntities deliveries) {
        this.deliveries = deliveries;
    }

    /** Every attempt for the tenant's batch or job, oldest first. */
    public List<WebhookDelivery> listForSubject(String tenantId, String subjectId) {
        return deliveries.findByTenantIdAndSubjectIdOrderByAttemptedAtAscAttemptAsc(tenantId, subjectId).stream()
                .map(WebhookDeliveryEntity::toDelivery)
                .toList();
    }

    /** One attempt for the tenant's batch or job. */
    public Optional<WebhookDelivery> find(String tenantId, String subjectId, String id) {
        return deliveries
                .findByTenantIdAndSubjectIdAndId(tenantId, subjectId, id)
                .map(WebhookDeliveryEntity::toDelivery);
    }

    /** For the operator: up to {@code limit} attempts of any tenant, newest first; null filters match everything. */
    public List<WebhookDelivery> recent(String status, String subjectId, String tenantId, int limit) {
        return deliveries.recent(status, subjectId, tenantId, Limit.of(limit)).stream()
                .map(WebhookDeliveryEntity::toDelivery)
                .toList();
    }

    /** For the operator: one attempt, whichever tenant's it is. */
    public Optional<WebhookDelivery> find(String id) {
        return deliveries.findById(id).map(WebhookDeliveryEntity::toDelivery);
    }
}
