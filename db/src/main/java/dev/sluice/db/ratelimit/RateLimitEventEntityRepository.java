package dev.sluice.db.ratelimit;

import jakarta.persistence.EntityManager;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Repository;

/**
 * The 429s as the api-service lists them to operators, read with JPA: present only where JPA is (the api-service,
 * see {@code JpaConfiguration}). Workers insert them in SQL ({@link RateLimitEventRepository}).
 */
@Repository
@ConditionalOnClass(EntityManager.class)
public class RateLimitEventEntityRepository {

    private final RateLimitEventEntities events;

    RateLimitEventEntityRepository(RateLimitEventEntities events) {
        this.events = events;
    }

    /** Up to {@code limit} events, newest first, optionally of one model, older than event {@code beforeId}. */
    public List<RateLimitEvent> recent(String model, Long beforeId, int limit) {
        return events.recent(model, beforeId, Limit.of(limit)).stream()
                .map(RateLimitEventEntity::toEvent)
                .toList();
    }

    /** Up to {@code limit} 429s met by job {@code jobId} of {@code model}, oldest first. */
    public List<RateLimitEvent> ofJob(String model, String jobId, int limit) {
        return events.findByModelAndJobIdOrderByOccurredAt(model, jobId, Limit.of(limit)).stream()
                .map(RateLimitEventEntity::toEvent)
                .toList();
    }
}
