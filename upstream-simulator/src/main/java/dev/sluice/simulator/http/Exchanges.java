package dev.sluice.simulator.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Reading requests and writing complete responses on a JDK {@link HttpExchange}. */
public final class Exchanges {

    private static final String BEARER = "bearer ";

    private Exchanges() {}

    /** The whole request body. */
    public static byte[] readBody(HttpExchange exchange) throws IOException {
        return exchange.getRequestBody().readAllBytes();
    }

    /** The token of an {@code Authorization: Bearer <token>} header, if present and not blank. */
    public static Optional<String> bearerToken(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        String token = header.substring(BEARER.length()).trim();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    /** {@code body} as JSON with {@code status}, plus {@code headers}. */
    public static void json(HttpExchange exchange, int status, Map<String, String> headers, Object body)
            throws IOException {
        send(exchange, status, headers, "application/json", Json.MAPPER.writeValueAsBytes(body));
    }

    /** {@code body} as JSON with {@code status}. */
    public static void json(HttpExchange exchange, int status, Object body) throws IOException {
        json(exchange, status, Map.of(), body);
    }

    /** An OpenAI error object with {@code status}. */
    public static void error(HttpExchange exchange, int status, OpenAiError error) throws IOException {
        json(exchange, status, Map.of(), error);
    }

    /** A complete fixed-length response. */
    public static void send(
            HttpExchange exchange, int status, Map<String, String> headers, String contentType, byte[] body)
            throws IOException {
        writeHeaders(exchange, headers, contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Sets {@code Content-Type} and {@code headers} without sending them yet. */
    public static void writeHeaders(HttpExchange exchange, Map<String, String> headers, String contentType) {
        var h = exchange.getResponseHeaders();
        h.set("Content-Type", contentType);
        headers.forEach(h::set);
    }

    /** Method and path, as OpenAI quotes them in its "Invalid URL" message. */
    public static String describe(HttpExchange exchange) {
        return exchange.getRequestMethod().toUpperCase(Locale.ROOT) + " "
                + exchange.getRequestURI().getPath();
    }
}
