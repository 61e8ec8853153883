package dev.sluice.db.ratelimit;

import java.util.List;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

/** Spring Data's repository of {@link RateLimitEventEntity}; used only by {@link RateLimitEventEntityRepository}. */
interface RateLimitEventEntities extends JpaRepository<RateLimitEventEntity, Long> {

    /** Newest first, optionally of one model, older than event {@code beforeId} (null: from the newest). */
    @Query("""
            SELECT e FROM RateLimitEventEntity e
             WHERE (:model IS NULL OR e.model = :model)
               AND (:beforeId IS NULL OR e.id < :beforeId)
             ORDER BY e.id DESC
            """)
    List<RateLimitEventEntity> recent(String model, Long beforeId, Limit limit);

    /** The 429s one job met, oldest first; through the model's index, as events have no index by job. */
    List<RateLimitEventEntity> findByModelAndJobIdOrderByOccurredAt(String model, String jobId, Limit limit);
}
