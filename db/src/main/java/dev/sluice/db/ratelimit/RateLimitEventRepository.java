package dev.sluice.db.ratelimit;

import java.util.List;
import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Repository;

/** The {@code rate_limit_events} table: every 429 seen, newest first when read. Written and read with JPA. */
@Repository
public class RateLimitEventRepository {

    private static final int MAX_MESSAGE = 500;

    private final RateLimitEventEntities events;

    RateLimitEventRepository(RateLimitEventEntities events) {
        this.events = events;
    }

    /** Stores one event (a message longer than 500 characters is cut). */
    public void record(RateLimitEvent event) {
        String message = event.message();
        if (message != null && message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE);
        }
        events.save(new RateLimitEventEntity(event, message));
    }

    /** Up to {@code limit} events, newest first, optionally of one model, older than event {@code beforeId}. */
    public List<RateLimitEvent> recent(String model, Long beforeId, int limit) {
        return events.recent(model, beforeId, Limit.of(limit)).stream().map(RateLimitEventEntity::toEvent).toList();
    }

    /** Up to {@code limit} 429s met by job {@code jobId} of {@code model}, oldest first. */
    public List<RateLimitEvent> ofJob(String model, String jobId, int limit) {
        return events.findByModelAndJobIdOrderByOccurredAt(model, jobId, Limit.of(limit)).stream()
                .map(RateLimitEventEntity::toEvent).toList();
    }
}
