package dev.sluice.db.webhook;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;

/** Spring Data's repository of {@link WebhookDeliveryEntity}; used only by {@link WebhookDeliveryRepository}. */
interface WebhookDeliveryEntities extends JpaRepository<WebhookDeliveryEntity, String> {

    List<WebhookDeliveryEntity> findByTenantIdAndSubjectIdOrderByAttemptedAtAscAttemptAsc(String tenantId,
            String subjectId);

    Optional<WebhookDeliveryEntity> findByTenantIdAndSubjectIdAndId(String tenantId, String subjectId, String id);
}
