package dev.sluice.simulator;

import com.sun.net.httpserver.HttpExchange;
import dev.sluice.simulator.http.Exchanges;
import dev.sluice.simulator.http.Json;
import dev.sluice.simulator.http.OpenAiError;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The unauthenticated control API: {@code GET /__config}, {@code PUT /__config} (partial JSON of settings),
 * {@code GET /__stats}, {@code POST /__reset}.
 */
final class ControlHandler {

    private final Simulator simulator;

    ControlHandler(Simulator simulator) {
        this.simulator = simulator;
    }

    void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        switch (exchange.getRequestURI().getPath()) {
            case "/__config" -> {
                if (method.equals("GET")) {
                    Exchanges.json(exchange, 200, simulator.config().settings());
                } else if (method.equals("PUT") || method.equals("POST") || method.equals("PATCH")) {
                    updateConfig(exchange);
                } else {
                    notAllowed(exchange, "GET, PUT");
                }
            }
            case "/__stats" -> {
                if (method.equals("GET")) {
                    Exchanges.json(exchange, 200, simulator.stats());
                } else {
                    notAllowed(exchange, "GET");
                }
            }
            case "/__reset" -> {
                if (method.equals("POST")) {
                    simulator.reset();
                    Exchanges.json(exchange, 200, Map.of("reset", true));
                } else {
                    notAllowed(exchange, "POST");
                }
            }
            default ->
                Exchanges.error(
                        exchange,
                        404,
                        OpenAiError.invalidRequest("Invalid URL (" + Exchanges.describe(exchange) + ")", null, null));
        }
    }

    private void updateConfig(HttpExchange exchange) throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        try {
            JsonNode body = Json.MAPPER.readTree(Exchanges.readBody(exchange));
            if (body == null || !body.isObject()) {
                throw new IllegalArgumentException("expected a JSON object of settings");
            }
            // Numbers and booleans arrive as JSON values, strings as strings: all parse from their text.
            body.properties()
                    .forEach(e -> settings.put(
                            e.getKey(),
                            e.getValue().isNull() ? "" : e.getValue().asString()));
            SimulatorConfig updated = simulator.update(c -> c.withSettings(settings));
            Exchanges.json(exchange, 200, updated.settings());
        } catch (JacksonException e) {
            Exchanges.error(exchange, 400, OpenAiError.invalidRequest("body is not valid JSON", null, null));
        } catch (IllegalArgumentException e) {
            Exchanges.error(exchange, 400, OpenAiError.invalidRequest(e.getMessage(), null, "invalid_setting"));
        }
    }

    private static void notAllowed(HttpExchange exchange, String allow) throws IOException {
        exchange.getResponseHeaders().set("Allow", allow);
        Exchanges.error(
                exchange,
                405,
                OpenAiError.invalidRequest("Not allowed: " + Exchanges.describe(exchange), null, "method_not_allowed"));
    }
}
