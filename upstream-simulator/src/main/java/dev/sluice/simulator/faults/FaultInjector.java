package dev.sluice.simulator.faults;

import com.sun.net.httpserver.HttpExchange;
import dev.sluice.simulator.http.ConnectionDrop;
import dev.sluice.simulator.http.Exchanges;
import dev.sluice.simulator.http.OpenAiError;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/** Carries out a {@link Fault} on an exchange. Hangs last until their time is up or {@link #releaseHangs()}. */
public final class FaultInjector {

    private record ServerError(int status, OpenAiError body) {}

    // The bodies OpenAI sends for these statuses, near enough for a client's classifier.
    private static final List<ServerError> SERVER_ERRORS = List.of(
            new ServerError(
                    500,
                    OpenAiError.of(
                            "The server had an error while processing your request. Sorry about that!",
                            "server_error",
                            null,
                            null)),
            new ServerError(502, OpenAiError.of("Bad gateway.", "server_error", null, "bad_gateway")),
            new ServerError(
                    503,
                    OpenAiError.of(
                            "The engine is currently overloaded, please try again later.",
                            "server_error",
                            null,
                            "service_unavailable")));

    private volatile CountDownLatch hangRelease = new CountDownLatch(1);

    /** Answers 500, 502 or 503 with an OpenAI-style error body. */
    public void serverError(HttpExchange exchange, RandomGenerator random) throws IOException {
        ServerError e = SERVER_ERRORS.get(random.nextInt(SERVER_ERRORS.size()));
        Exchanges.error(exchange, e.status(), e.body());
    }

    /** Drops the connection before any response. */
    public void reset() {
        throw new ConnectionDrop("reset fault");
    }

    /** Sends nothing for {@code max} (or until released), then drops the connection. */
    public void hang(Duration max) {
        try {
            hangRelease.await(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new ConnectionDrop("hang fault");
    }

    /**
     * Sends status 200 with the Content-Length of all of {@code body} but writes only its first half, then
     * drops the connection.
     */
    public void truncate(HttpExchange exchange, Map<String, String> headers, byte[] body) throws IOException {
        Exchanges.writeHeaders(exchange, headers, "application/json");
        exchange.sendResponseHeaders(200, body.length);
        OutputStream out = exchange.getResponseBody();
        out.write(body, 0, Math.max(1, body.length / 2));
        // Flush, or the partial body would sit in the server's buffer and never leave.
        out.flush();
        throw new ConnectionDrop("truncate fault");
    }

    /** Ends every current hang at once (on reset and close), so no thread outlives the simulator. */
    public void releaseHangs() {
        CountDownLatch old = hangRelease;
        hangRelease = new CountDownLatch(1);
        old.countDown();
    }
}
