package dev.sluice.worker.upstream;

import static dev.sluice.worker.upstream.UpstreamEndpoint.since;

import dev.sluice.worker.WorkerProperties;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;
import java.util.function.Predicate;
import org.springframework.stereotype.Component;

/**
 * One attempt with {@code stream: true}: POSTs the body and, when the provider answers 200, hands each
 * Server-Sent Event's {@code data} to the caller in order until {@code data: [DONE]}. Any other answer is
 * read (up to {@code sluice.upstream.max-response-size}) and classified as {@link UpstreamClient} does; a
 * stream longer in all than that size is broken off. The read timeout bounds the whole attempt, stream
 * included. Neither the key nor any body is logged.
 */
@Component
public class StreamingCall {

    /** What a streaming attempt came to. */
    public sealed interface Result {

        /** How long the attempt took. */
        Duration latency();

        /** The provider did not stream (an error, a 429): the attempt as {@link UpstreamClient} would classify it. */
        record Answered(Attempt attempt) implements Result {
            @Override
            public Duration latency() {
                return attempt.latency();
            }
        }

        /** The stream ended with {@code [DONE]}, every event accepted. */
        record Completed(Duration latency) implements Result {}

        /** The stream broke: cut, timed out, or an event the caller refused. */
        record Broken(String why, Duration latency) implements Result {}
    }

    private final UpstreamEndpoint endpoint;
    private final Duration readTimeout;
    private final long maxResponseBytes;

    StreamingCall(WorkerProperties properties) {
        this.endpoint = new UpstreamEndpoint(properties);
        this.readTimeout = endpoint.readTimeout;
        this.maxResponseBytes = endpoint.maxResponseBytes;
    }

    /**
     * Calls {@code POST base-url + path} with {@code body} (which asks for a stream); {@code onEvent} gets each
     * event's data and returns false to stop at an event it cannot use. {@code onSent} as in
     * {@link UpstreamClient#call}.
     */
    public Result call(String apiKey, String path, String body, LongConsumer onSent, Predicate<String> onEvent)
            throws InterruptedException {
        HttpRequest request = endpoint.post(apiKey, path, body, "text/event-stream", onSent);
        long started = System.nanoTime();
        CompletableFuture<HttpResponse<InputStream>> pending =
                endpoint.http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> response;
        try {
            response = pending.get(readTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            return new Result.Broken("no answer within " + readTimeout, since(started));
        } catch (ExecutionException e) {
            return new Result.Broken("the call failed: " + e.getCause(), since(started));
        }
        if (response.statusCode() != 200) {
            try {
                Optional<String> text = BoundedBody.read(response.body(), maxResponseBytes);
                return new Result.Answered(
                        text.isEmpty()
                                ? Attempt.Permanent.tooLarge(response.statusCode(), maxResponseBytes, since(started))
                                : AttemptClassifier.classify(
                                        response.statusCode(), response.headers(), text.get(), since(started)));
            } catch (IOException e) {
                return new Result.Broken("the answer was cut: " + e, since(started));
            }
        }
        return read(response.body(), started, onEvent);
    }

    private Result read(InputStream body, long started, Predicate<String> onEvent) {
        // The read timeout covers the stream too: a stream that stalls is closed under the reader.
        long remaining = readTimeout.toNanos() - (System.nanoTime() - started);
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(Duration.ofNanos(Math.max(0, remaining)));
                body.close();
            } catch (InterruptedException | IOException e) {
                // the stream ended first
            }
        });
        InputStream bounded = new BoundedInputStream(body, maxResponseBytes);
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(bounded, StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (!line.startsWith("data:")) {
                    continue;
                }
                String data = line.substring(5).strip();
                if (data.equals("[DONE]")) {
                    return new Result.Completed(since(started));
                }
                if (!onEvent.test(data)) {
                    return new Result.Broken("an event was not a valid chunk", since(started));
                }
            }
            return new Result.Broken("the stream ended without [DONE]", since(started));
        } catch (BoundedInputStream.TooLarge e) {
            return new Result.Broken(
                    "the stream was longer than sluice.upstream.max-response-size (" + maxResponseBytes + " bytes)",
                    since(started));
        } catch (IOException e) {
            return new Result.Broken("the stream was cut: " + e.getClass().getSimpleName(), since(started));
        } finally {
            watchdog.interrupt();
        }
    }
}
