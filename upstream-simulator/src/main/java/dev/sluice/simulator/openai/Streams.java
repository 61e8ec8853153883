package dev.sluice.simulator.openai;

import com.sun.net.httpserver.HttpExchange;
import dev.sluice.simulator.http.ConnectionDrop;
import dev.sluice.simulator.http.Exchanges;
import dev.sluice.simulator.http.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Server-sent events for {@code stream: true}, working or broken. */
final class Streams {

    private static final String EVENT_STREAM = "text/event-stream; charset=utf-8";

    private Streams() {}

    /** Each chunk as a {@code data:} event, then {@code data: [DONE]}, over a chunked 200. */
    static void working(HttpExchange exchange, Map<String, String> headers, List<Object> chunks) throws IOException {
        start(exchange, headers);
        try (OutputStream out = exchange.getResponseBody()) {
            for (Object chunk : chunks) {
                out.write(event(Json.MAPPER.writeValueAsString(chunk)));
                out.flush();
            }
            out.write(event("[DONE]"));
        }
    }

    /**
     * The seed provider's broken stream: a 200 event stream whose one event is the first half of a chunk's
     * JSON (no closing brace, no blank line), then the connection is cut; never {@code [DONE]}.
     */
    static void broken(HttpExchange exchange, Map<String, String> headers, Object firstChunk) throws IOException {
        start(exchange, headers);
        String json = Json.MAPPER.writeValueAsString(firstChunk);
        OutputStream out = exchange.getResponseBody();
        out.write(("data: " + json.substring(0, json.length() / 2)).getBytes(StandardCharsets.UTF_8));
        out.flush();
        throw new ConnectionDrop("broken stream");
    }

    private static void start(HttpExchange exchange, Map<String, String> headers) throws IOException {
        Exchanges.writeHeaders(exchange, headers, EVENT_STREAM);
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
    }

    private static byte[] event(String data) {
        return ("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
