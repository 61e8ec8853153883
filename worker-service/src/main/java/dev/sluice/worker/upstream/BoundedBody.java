package dev.sluice.worker.upstream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A provider's answer read up to {@code sluice.upstream.max-response-size} and no further, so one huge answer
 * cannot exhaust the worker's heap: the body as text, or empty when it was larger (a declared
 * {@code Content-Length} over the cap is refused before a byte is read; otherwise reading stops at the cap and
 * the connection is dropped).
 */
final class BoundedBody implements HttpResponse.BodySubscriber<Optional<String>> {

    private final long maxBytes;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final CompletableFuture<Optional<String>> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    private BoundedBody(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** A handler whose bodies are empty when larger than {@code maxBytes}. */
    static HttpResponse.BodyHandler<Optional<String>> handler(long maxBytes) {
        return info -> {
            BoundedBody body = new BoundedBody(maxBytes);
            if (info.headers().firstValueAsLong("content-length").orElse(0) > maxBytes) {
                body.result.complete(Optional.empty());
            }
            return body;
        };
    }

    /**
     * Reads {@code in} (which this closes) as text up to {@code maxBytes}; empty when it holds more. Closing the
     * stream of a JDK client's response drops the rest of the answer unread.
     */
    static Optional<String> read(InputStream in, long maxBytes) throws IOException {
        try (in) {
            byte[] bytes = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
            return bytes.length > maxBytes ? Optional.empty() : Optional.of(new String(bytes, StandardCharsets.UTF_8));
        }
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        if (result.isDone()) {
            subscription.cancel();
        } else {
            subscription.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer buffer : buffers) {
            if (received.size() + (long) buffer.remaining() > maxBytes) {
                result.complete(Optional.empty());
                subscription.cancel();
                return;
            }
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            received.writeBytes(bytes);
        }
    }

    @Override
    public void onError(Throwable throwable) {
        result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        result.complete(Optional.of(received.toString(StandardCharsets.UTF_8)));
    }

    @Override
    public CompletionStage<Optional<String>> getBody() {
        return result;
    }
}
