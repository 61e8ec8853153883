package dev.sluice.worker.upstream;

import static dev.sluice.worker.upstream.UpstreamEndpoint.since;

import dev.sluice.worker.WorkerProperties;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;
import org.springframework.stereotype.Component;

/**
 * Makes one attempt: POSTs a job's stored body to {@code base-url + job url} with the provider key and
 * classifies whatever happens into an {@link Attempt}. It never throws for anything the provider or the
 * network does. Connections are pooled by the JDK client (HTTP/1.1 keep-alive). The read timeout bounds the
 * attempt as a whole, body included (the JDK's own request timeout stops counting once headers arrive), so a
 * lease longer than connect + read timeout always outlives the call. The answer is read up to
 * {@code sluice.upstream.max-response-size}; a larger one is dropped unread and is a permanent failure
 * ({@code response_too_large}). Neither the key nor any body is logged.
 */
@Component
public class UpstreamClient {

    private final UpstreamEndpoint endpoint;
    private final Duration readTimeout;
    private final long maxResponseBytes;

    UpstreamClient(WorkerProperties properties) {
        this.endpoint = new UpstreamEndpoint(properties);
        this.readTimeout = endpoint.readTimeout;
        this.maxResponseBytes = endpoint.maxResponseBytes;
    }

    /**
     * Calls {@code POST base-url + path} with {@code body} and {@code apiKey} and returns what it came to.
     * {@code onSent} receives the {@link System#nanoTime()} at which the request's last bytes were handed to
     * the connection — what the pacer counts — unless the request never got that far.
     */
    public Attempt call(String apiKey, String path, String body, LongConsumer onSent) throws InterruptedException {
        HttpRequest request = endpoint.post(apiKey, path, body, "application/json", onSent);
        long started = System.nanoTime();
        CompletableFuture<HttpResponse<Optional<String>>> pending =
                endpoint.http.sendAsync(request, BoundedBody.handler(maxResponseBytes));
        try {
            HttpResponse<Optional<String>> response = pending.get(readTimeout.toNanos(), TimeUnit.NANOSECONDS);
            if (response.body().isEmpty()) {
                return Attempt.Permanent.tooLarge(response.statusCode(), maxResponseBytes, since(started));
            }
            return AttemptClassifier.classify(
                    response.statusCode(), response.headers(), response.body().get(), since(started));
        } catch (TimeoutException e) {
            pending.cancel(true);
            return timedOut(started);
        } catch (InterruptedException e) {
            pending.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            return failed(e.getCause(), started);
        }
    }

    private Attempt failed(Throwable cause, long started) {
        return switch (cause) {
            case HttpConnectTimeoutException e -> unreachable("could not connect to the provider in time", started);
            case ConnectException e -> unreachable("could not connect to the provider: " + describe(e), started);
            case HttpTimeoutException e -> timedOut(started);
            // Reset connections and bodies cut short (Content-Length not reached) land here.
            case IOException e -> unreachable("the connection to the provider failed: " + describe(e), started);
            default -> unreachable("the call to the provider failed: " + describe(cause), started);
        };
    }

    private Attempt timedOut(long started) {
        return Attempt.Transient.noAnswer(
                Attempt.Transient.REQUEST_TIMEOUT, "the provider did not answer within " + readTimeout, since(started));
    }

    private static Attempt unreachable(String message, long started) {
        return Attempt.Transient.noAnswer(Attempt.Transient.UPSTREAM_UNREACHABLE, message, since(started));
    }

    private static String describe(Throwable e) {
        return e.getMessage() == null
                ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
