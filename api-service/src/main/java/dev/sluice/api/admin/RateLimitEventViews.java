package dev.sluice.api.admin;

import dev.sluice.db.ratelimit.RateLimitEvent;
import jakarta.annotation.Nullable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** The objects {@code GET /admin/rate-limit-events} answers with. */
final class RateLimitEventViews {

    private RateLimitEventViews() {}

    /**
     * One 429 a worker received.
     *
     * @param id                the event's id, increasing; the {@code after} cursor of the next page
     * @param model             the model
     * @param credential        fingerprint of the upstream key the request went out with (never the key)
     * @param jobId             the refused job, or null
     * @param occurredAt        unix seconds
     * @param message           the provider's error message, truncated to 500 characters
     * @param retryAfterSeconds the provider's {@code Retry-After}, or null
     * @param learned           the limit the 429 stated (requests or tokens per window), or null
     * @param pausedUntil       unix seconds until which the model was paused for that key, or null
     */
    record Event(
            long id,
            String model,
            String credential,
            @Nullable String jobId,
            long occurredAt,
            @Nullable String message,
            @Nullable BigDecimal retryAfterSeconds,
            @Nullable LimitViews.Stated learned,
            @Nullable Long pausedUntil) {

        static Event of(RateLimitEvent event) {
            return new Event(
                    event.id(),
                    event.model(),
                    event.credential(),
                    event.jobId(),
                    event.occurredAt().getEpochSecond(),
                    event.message(),
                    event.retryAfter() == null ? null : LimitViews.seconds(event.retryAfter()),
                    LimitViews.Stated.of(event.learned()),
                    epochSeconds(event.pausedUntil()));
        }

        private static Long epochSeconds(Instant instant) {
            return instant == null ? null : instant.getEpochSecond();
        }
    }

    /**
     * A page of events, newest first, in OpenAI's list shape with numeric ids.
     *
     * @param object  always {@code list}
     * @param data    this page's events
     * @param firstId the first (newest) event's id, or null on an empty page
     * @param lastId  the last (oldest) event's id, the next page's {@code after}; null on an empty page
     * @param hasMore whether older events follow
     */
    record Page(
            String object,
            List<Event> data,
            @Nullable Long firstId,
            @Nullable Long lastId,
            boolean hasMore) {

        /** The page from events fetched with {@code limit + 1}: the extra one only says that more follow. */
        static Page of(List<RateLimitEvent> events, int limit) {
            boolean hasMore = events.size() > limit;
            List<Event> data = (hasMore ? events.subList(0, limit) : events)
                    .stream().map(Event::of).toList();
            return new Page(
                    "list",
                    data,
                    data.isEmpty() ? null : data.getFirst().id(),
                    data.isEmpty() ? null : data.getLast().id(),
                    hasMore);
        }
    }
}
