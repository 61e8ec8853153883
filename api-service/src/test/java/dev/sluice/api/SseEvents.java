package dev.sluice.api;

import java.util.List;
import java.util.concurrent.Flow;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Collects the {@code event:} / {@code data:} pairs of a Server-Sent Events stream read with
 * {@code HttpResponse.BodyHandlers.fromLineSubscriber}; comment lines (keep-alives) are skipped.
 */
final class SseEvents implements Flow.Subscriber<String> {

    /** One Server-Sent Event as read off the wire. */
    record Event(String name, JsonNode data) {}

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final List<Event> events;
    private String name;

    /** Appends every event to {@code events}, which should be safe to read from another thread. */
    SseEvents(List<Event> events) {
        this.events = events;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
        if (line.startsWith("event: ")) {
            name = line.substring("event: ".length());
        } else if (line.startsWith("data: ")) {
            events.add(new Event(name, JSON.readTree(line.substring("data: ".length()))));
        }
    }

    @Override
    public void onError(Throwable throwable) {}

    @Override
    public void onComplete() {}
}
