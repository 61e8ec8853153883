package dev.sluice.db.webhook;

import java.util.List;
import java.util.Optional;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

/** Spring Data's repository of {@link WebhookDeliveryEntity}; used only by {@link WebhookDeliveryEntityRepository}. */
interface WebhookDeliveryEntities extends JpaRepository<WebhookDeliveryEntity, String> {

    List<WebhookDeliveryEntity> findByTenantIdAndSubjectIdOrderByAttemptedAtAscAttemptAsc(
            String tenantId, String subjectId);

    Optional<WebhookDeliveryEntity> findByTenantIdAndSubjectIdAndId(String tenantId, String subjectId, String id);

    /** The operator's list: every tenant's attempts, newest first, optionally of one status, subject or tenant. */
    @Query("""
            SELECT d FROM WebhookDeliveryEntity d
             WHERE (:status IS NULL OR d.status = :status)
               AND (:subjectId IS NULL OR d.subjectId = :subjectId)
               AND (:tenantId IS NULL OR d.tenantId = :tenantId)
             ORDER BY d.attemptedAt DESC, d.id DESC
            """)
    List<WebhookDeliveryEntity> recent(String status, String subjectId, String tenantId, Limit limit);
}
