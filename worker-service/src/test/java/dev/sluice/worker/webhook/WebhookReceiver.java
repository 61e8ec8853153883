package dev.sluice.worker.webhook;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP receiver on 127.0.0.1 that records every webhook it gets and answers with the statuses it is
 * told, in order, then 200. Each request is served on a virtual thread of its own; {@link #hanging()} makes it a
 * tarpit that holds every request unanswered until {@link #release()}.
 */
final class WebhookReceiver implements AutoCloseable {

    /** One request as received. */
    record Received(Map<String, List<String>> headers, String body) {

        String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst())
                    .findFirst()
                    .orElse(null);
        }
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Deque<Integer> statuses = new ArrayDeque<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private volatile CountDownLatch hold = new CountDownLatch(0);

    private WebhookReceiver(HttpServer server) {
        this.server = server;
    }

    static WebhookReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            WebhookReceiver receiver = new WebhookReceiver(server);
            server.createContext("/", exchange -> {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                Map<String, List<String>> headers = Map.copyOf(exchange.getRequestHeaders());
                receiver.received.add(new Received(headers, body));
                receiver.holdWhileHanging();
                int status = receiver.nextStatus();
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Answers the next requests with these statuses, then 200 again. */
    synchronized WebhookReceiver answering(int... next) {
        for (int status : next) {
            statuses.add(status);
        }
        return this;
    }

    /** From now on holds every request unanswered (a receiver that hangs) until {@link #release()}. */
    WebhookReceiver hanging() {
        hold = new CountDownLatch(1);
        return this;
    }

    /** Answers the held requests and every later one at once again. */
    void release() {
        hold.countDown();
    }

    /** Requests being held unanswered now. */
    int waiting() {
        return waiting.get();
    }

    private void holdWhileHanging() {
        CountDownLatch latch = hold;
        if (latch.getCount() == 0) {
            return;
        }
        waiting.incrementAndGet();
        try {
            // Longer than any attempt's timeout: the sender gives up first.
            latch.await(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            waiting.decrementAndGet();
        }
    }

    private synchronized int nextStatus() {
        Integer next = statuses.poll();
        return next == null ? 200 : next;
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    int port() {
        return server.getAddress().getPort();
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        release();
        server.stop(0);
    }
}
