package dev.sluice.api.facade;

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
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The provider's model list ({@code GET /v1/models} upstream), fetched with the facade's provider key and
 * reused for {@code sluice.facade.models-ttl}, so that SDKs listing models at start-up do not each cost a
 * provider call. Model listing is not rate-limited by the providers Sluice paces, so it bypasses the queue.
 */
@Component
class ProviderModels {

    private static final JsonMapper JSON = JsonMapper.builder().build();

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

    /** The list object {@code {"object": "list", "data": [...]}}. */
    JsonNode list() {
        Fetched current = cached;
        if (current != null && clock.instant().isBefore(current.at().plus(ttl))) {
            return current.list();
        }
        JsonNode list = fetch();
        cached = new Fetched(list, clock.instant());
        return list;
    }

    /** One model of the list, if the provider has it. */
    Optional<JsonNode> find(String id) {
        for (JsonNode model : list().path("data")) {
            if (id.equals(model.path("id").asString(null))) {
                return Optional.of(model);
            }
        }
        return Optional.empty();
    }

    private JsonNode fetch() {
        HttpRequest request = HttpRequest.newBuilder(modelsUri)
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + apiKey)
                .header("Accept", "application/json")
                .GET()
                .build();
        try {
            HttpResponse<String> response =
                    http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            JsonNode list = response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
            if (list == null || !list.path("data").isArray()) {
                throw unavailable("the provider answered HTTP " + response.statusCode());
            }
            return list;
        } catch (IOException | JacksonException e) {
            throw unavailable("the provider could not be reached or sent no list");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted");
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
