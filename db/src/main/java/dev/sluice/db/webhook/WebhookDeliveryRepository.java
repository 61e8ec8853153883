package dev.sluice.db.webhook;

import java.util.List;
import java.util.Optional;
import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Repository;

/**
 * The {@code webhook_deliveries} table: every attempt to deliver a webhook event, as the tenant may list them.
 * Written and read with JPA: a delivery is inserted once and never changed.
 */
@Repository
public class WebhookDeliveryRepository {

    private static final int MAX_ERROR = 500;

    private final WebhookDeliveryEntities deliveries;

    WebhookDeliveryRepository(WebhookDeliveryEntities deliveries) {
        this.deliveries = deliveries;
    }

    /** Records one attempt (an error longer than 500 characters is cut). */
    public void insert(WebhookDelivery delivery) {
        String error = delivery.error();
        if (error != null && error.length() > MAX_ERROR) {
            error = error.substring(0, MAX_ERROR);
        }
        deliveries.saveAndFlush(new WebhookDeliveryEntity(delivery, error));
    }

    /** Every attempt for the tenant's batch or job, oldest first. */
    public List<WebhookDelivery> listForSubject(String tenantId, String subjectId) {
        return deliveries.findByTenantIdAndSubjectIdOrderByAttemptedAtAscAttemptAsc(tenantId, subjectId).stream()
                .map(WebhookDeliveryEntity::toDelivery).toList();
    }

    /** One attempt for the tenant's batch or job. */
    public Optional<WebhookDelivery> find(String tenantId, String subjectId, String id) {
        return deliveries.findByTenantIdAndSubjectIdAndId(tenantId, subjectId, id)
                .map(WebhookDeliveryEntity::toDelivery);
    }

    /** For the operator: up to {@code limit} attempts of any tenant, newest first; null filters match everything. */
    public List<WebhookDelivery> recent(String status, String subjectId, String tenantId, int limit) {
        return deliveries.recent(status, subjectId, tenantId, Limit.of(limit)).stream()
                .map(WebhookDeliveryEntity::toDelivery).toList();
    }

    /** For the operator: one attempt, whichever tenant's it is. */
    public Optional<WebhookDelivery> find(String id) {
        return deliveries.findById(id).map(WebhookDeliveryEntity::toDelivery);
    }
}
