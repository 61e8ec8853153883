package dev.sluice.api.model;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.web.ApiException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The provider's model list ({@code GET /v1/models} upstream), fetched with the facade's provider key. The facade
 * shows it ({@link #list}), reused for {@code sluice.facade.models-ttl} so that SDKs listing models at start-up do
 * not each cost a provider call, and the {@link ModelRegistry} reads it ({@link #fetch}). Model listing is not
 * rate-limited by the providers Sluice paces, so it bypasses the queue.
 */
@Component
public class ProviderModels {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What one read of the provider's list found. */
    public sealed interface Fetch {

        /** The provider listed these models ({@code list} is its list object). */
        record Listed(JsonNode list, Set<String> ids) implements Fetch {}

        /** The provider has no model list: it answered 404 (a provider without {@code GET /v1/models}). */
        record NoList() implements Fetch {}

        /** The list could not be read this time: the provider is down, refused the key or sent no list. */
        record Unavailable(String why) implements Fetch {}
    }

    /** A fetched list and when it was fetched. */
    private record Fetched(JsonNode list, Instant at) {}

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI modelsUri;
    private final String apiKey;
    private final Duration ttl;
    private final Clock clock;
    private volatile Fetched cached;

    ProviderModels(ApiProperties properties, Clock clock) {
        this.modelsUri = URI.create(properties.facade().upstreamBaseUrlText() + "/v1/models");
        this.apiKey = properties.facade().upstreamApiKey();
        this.ttl = properties.facade().modelsTtl();
        this.clock = clock;
    }

    /**
     * The list object {@code {"object": "list", "data": [...]}}: fetched again once older than the TTL; when that
     * fails, the last list read is shown, and without one the call is a 502 {@code upstream_unavailable}.
     */
    public JsonNode list() {
        Fetched current = cached;
        if (current != null && clock.instant().isBefore(current.at().plus(ttl))) {
            return current.list();
        }
        return switch (fetch()) {
            case Fetch.Listed listed -> listed.list();
            case Fetch.NoList none -> throw unavailable("the provider answered HTTP 404: it lists no models");
            case Fetch.Unavailable down -> {
                if (current != null) {
                    yield current.list();
                }
                throw unavailable(down.why());
            }
        };
    }

    /** One model of the list, if the provider has it. */
    public Optional<JsonNode> find(String id) {
        for (JsonNode model : list().path("data")) {
            if (id.equals(model.path("id").asString(null))) {
                return Optional.of(model);
            }
        }
        return Optional.empty();
    }

    /** Reads the provider's list now; a list read is also what {@link #list} shows next. Never throws. */
    public Fetch fetch() {
        HttpRequest request = HttpRequest.newBuilder(modelsUri)
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + apiKey)
                .header("Accept", "application/json")
                .GET()
                .build();
        try {
            HttpResponse<String> response =
                    http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() == 404) {
                return new Fetch.NoList();
            }
            JsonNode list = response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
            if (list == null || !list.path("data").isArray()) {
                return new Fetch.Unavailable("the provider answered HTTP " + response.statusCode());
            }
            Set<String> ids = new LinkedHashSet<>();
            for (JsonNode model : list.path("data")) {
                String id = model.path("id").asString(null);
                if (id != null && !id.isBlank()) {
                    ids.add(id);
                }
            }
            cached = new Fetched(list, clock.instant());
            return new Fetch.Listed(list, Set.copyOf(ids));
        } catch (IOException | JacksonException e) {
            return new Fetch.Unavailable("the provider could not be reached or sent no list");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Fetch.Unavailable("interrupted");
        }
    }

    private static ApiException unavailable(String why) {
        return new ApiException(
                HttpStatus.BAD_GATEWAY,
                "server_error",
                null,
                "upstream_unavailable",
                "The provider's model list is unavailable (" + why + "); try again shortly.");
    }
}
