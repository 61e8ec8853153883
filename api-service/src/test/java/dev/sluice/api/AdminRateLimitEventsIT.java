package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Ids;
import dev.sluice.common.Limit;
import dev.sluice.db.ratelimit.RateLimitEvent;
import dev.sluice.db.ratelimit.RateLimitEventRepository;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** {@code GET /admin/rate-limit-events}: newest first, paged by id, optionally of one model. */
class AdminRateLimitEventsIT extends ApiTestBase {

    private static final Instant AT = Instant.parse("2025-06-01T12:00:00Z");

    @Autowired
    RateLimitEventRepository events;

    @Test
    void eventShowsWhatWasLearned() {
        String model = uniqueModel("throttled");
        String jobId = Ids.job();
        events.record(new RateLimitEvent(
                0,
                model,
                "c0ffee12",
                jobId,
                AT,
                "Rate limit of 15 per 60s exceeded",
                Duration.ofMillis(1500),
                new Limit(15, Duration.ofSeconds(60)),
                AT.plusSeconds(60)));
        events.record(new RateLimitEvent(0, model, "c0ffee12", null, AT.plusSeconds(1), null, null, null, null));

        JsonNode page = expect(200, get("/admin/rate-limit-events?model=" + model, ADMIN_KEY))
                .json();

        assertThat(page.get("object").asString()).isEqualTo("list");
        assertThat(page.get("has_more").asBoolean()).isFalse();
        JsonNode bare = page.get("data").get(0);
        JsonNode full = page.get("data").get(1);
        assertThat(bare.get("id").asLong()).isGreaterThan(full.get("id").asLong());
        assertThat(page.get("first_id").asLong()).isEqualTo(bare.get("id").asLong());
        assertThat(page.get("last_id").asLong()).isEqualTo(full.get("id").asLong());

        assertThat(full.get("model").asString()).isEqualTo(model);
        assertThat(full.get("credential").asString()).isEqualTo("c0ffee12");
        assertThat(full.get("job_id").asString()).isEqualTo(jobId);
        assertThat(full.get("occurred_at").asLong()).isEqualTo(AT.getEpochSecond());
        assertThat(full.get("message").asString()).isEqualTo("Rate limit of 15 per 60s exceeded");
        assertThat(full.get("retry_after_seconds").asDouble()).isEqualTo(1.5);
        assertThat(full.get("learned").get("requests").asInt()).isEqualTo(15);
        assertThat(full.get("learned").get("per_seconds").asInt()).isEqualTo(60);
        assertThat(full.get("paused_until").asLong()).isEqualTo(AT.getEpochSecond() + 60);

        for (String field : List.of("job_id", "message", "retry_after_seconds", "learned", "paused_until")) {
            assertThat(bare.get(field).isNull()).as(field).isTrue();
        }
    }

    @Test
    void pagesWalkBackwardsThroughOneModelsEvents() {
        String model = uniqueModel("paged");
        String other = uniqueModel("other");
        for (int i = 0; i < 5; i++) {
            record(model, i);
            record(other, i);
        }

        List<Long> ids = new ArrayList<>();
        String after = "";
        List<Boolean> hasMore = new ArrayList<>();
        do {
            JsonNode page = expect(
                            200, get("/admin/rate-limit-events?model=" + model + "&limit=2&after=" + after, ADMIN_KEY))
                    .json();
            for (JsonNode event : page.get("data")) {
                assertThat(event.get("model").asString()).isEqualTo(model);
                ids.add(event.get("id").asLong());
            }
            hasMore.add(page.get("has_more").asBoolean());
            after = page.get("last_id").asString();
        } while (hasMore.getLast());

        assertThat(ids)
                .hasSize(5)
                .isSortedAccordingTo((a, b) -> Long.compare(b, a))
                .doesNotHaveDuplicates();
        assertThat(hasMore).containsExactly(true, true, false);

        JsonNode pastTheEnd = expect(
                        200, get("/admin/rate-limit-events?model=" + model + "&after=" + ids.getLast(), ADMIN_KEY))
                .json();
        assertThat(pastTheEnd.get("data")).isEmpty();
        assertThat(pastTheEnd.get("has_more").asBoolean()).isFalse();
        assertThat(pastTheEnd.get("first_id").isNull()).isTrue();
        assertThat(pastTheEnd.get("last_id").isNull()).isTrue();
    }

    @Test
    void withoutAFilterEveryModelIsListedNewestFirstTwentyAtATime() {
        String model = uniqueModel("many");
        for (int i = 0; i < 21; i++) {
            record(model, i);
        }
        String last = uniqueModel("last");
        record(last, 0);

        JsonNode page = expect(200, get("/admin/rate-limit-events", ADMIN_KEY)).json();

        assertThat(page.get("data")).hasSize(20);
        assertThat(page.get("has_more").asBoolean()).isTrue();
        assertThat(page.get("data").get(0).get("model").asString()).isEqualTo(last);
        assertThat(page.get("data").get(1).get("model").asString()).isEqualTo(model);
        assertThat(page.get("data").get(1).get("message").asString()).isEqualTo("429 number 20");
    }

    private void record(String model, int n) {
        events.record(new RateLimitEvent(
                0,
                model,
                "feedbeef",
                Ids.job(),
                AT.plusSeconds(n),
                "429 number " + n,
                null,
                null,
                AT.plusSeconds(n + 60)));
    }
}
