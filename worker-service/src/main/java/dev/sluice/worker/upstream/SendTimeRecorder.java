package dev.sluice.worker.upstream;

import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;
import java.util.function.LongConsumer;

/**
 * A request body that notes when the HTTP client took its last byte for the wire: the moment the
 * request leaves, as the pacer needs it, rather than when the call began (a new connection or a cold
 * JVM can put a hundred milliseconds between the two).
 */
final class SendTimeRecorder implements HttpRequest.BodyPublisher {

    private final HttpRequest.BodyPublisher body;
    private final LongConsumer onSent;

    SendTimeRecorder(HttpRequest.BodyPublisher body, LongConsumer onSent) {
        this.body = body;
        this.onSent = onSent;
    }

    @Override
    public long contentLength() {
        return body.contentLength();
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        body.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscriber.onSubscribe(subscription);
            }

            @Override
            public void onNext(ByteBuffer item) {
                subscriber.onNext(item);
            }

            @Override
            public void onError(Throwable throwable) {
                subscriber.onError(throwable);
            }

            @Override
            public void onComplete() {
                subscriber.onComplete();
                onSent.accept(System.nanoTime());
            }
        });
    }
}
