package dev.sluice.worker.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.simulator.Simulator;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.simulator.faults.FaultRates;
import dev.sluice.simulator.openai.StreamingMode;
import dev.sluice.worker.WorkerProperties;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/** The client against the simulator over real HTTP: each fault the provider can show becomes the right attempt. */
class UpstreamClientIT {

    // Long enough that a reset or a truncated body arrives first even on a loaded two-core machine.
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(2);
    private static final String MODEL = "openai/gpt-4o-mini";
    private static final DataSize SMALL_CAP = DataSize.ofKilobytes(1);
    private static final String CHAT = """
            {"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hello there"}]}""";

    private static final Simulator SIMULATOR =
            Simulator.start(SimulatorConfig.forTests().withLimit("100/1s").withHang(Duration.ofSeconds(5)));

    private final UpstreamClient client = clientFor(SIMULATOR.baseUrl());
    private final UpstreamClient smallCapClient = new UpstreamClient(properties(SIMULATOR.baseUrl(), SMALL_CAP));

    @AfterEach
    void heal() {
        SIMULATOR.update(config -> config.withFaults(FaultRates.NONE));
        SIMULATOR.reset();
    }

    @AfterAll
    static void stop() {
        SIMULATOR.close();
    }

    @Test
    void anAnswerIsASuccessWithItsUsage() throws Exception {
        Attempt attempt = call(client, "/v1/chat/completions", CHAT);

        assertThat(attempt).isInstanceOfSatisfying(Attempt.Success.class, success -> {
            assertThat(success.status()).isEqualTo(200);
            assertThat(success.body()).contains("chat.completion");
            assertThat(success.usage().promptTokens()).isPositive();
            assertThat(success.usage().completionTokens()).isPositive();
        });
        assertThat(SIMULATOR.stats().key("sk-test", MODEL).accepted())
                .as("sent with the configured key")
                .isEqualTo(1);
    }

    @Test
    void aHungProviderTimesOutWithinTheReadTimeout() throws Exception {
        SIMULATOR.update(config -> config.withFaults(FaultRates.NONE.withHang(1.0)));

        Attempt attempt = call(client, "/v1/chat/completions", CHAT);

        assertThat(attempt).isInstanceOfSatisfying(Attempt.Transient.class, failure -> {
            assertThat(failure.errorCode()).isEqualTo(Attempt.Transient.REQUEST_TIMEOUT);
            assertThat(failure.latency()).isBetween(READ_TIMEOUT, READ_TIMEOUT.plusSeconds(2));
        });
    }

    @Test
    void aProviderTricklingItsAnswerTimesOutWithinTheReadTimeout() throws Exception {
        // Each byte arrives well within the read timeout, so only a bound on the call as a whole stops it: a call
        // that outlived the lease would have its job rescued and run twice.
        try (ServerSocket provider = new ServerSocket(0)) {
            Thread.ofVirtual().start(() -> trickle(provider));
            UpstreamClient trickled = clientFor(URI.create("http://127.0.0.1:" + provider.getLocalPort()));
            AtomicReference<Attempt> result = new AtomicReference<>();

            // As a job calls: on a virtual thread of its own.
            Thread job = Thread.ofVirtual().start(() -> {
                try {
                    result.set(call(trickled, "/v1/chat/completions", CHAT));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            job.join(READ_TIMEOUT.plusSeconds(10));

            assertThat(result.get()).isInstanceOfSatisfying(Attempt.Transient.class, failure -> {
                assertThat(failure.errorCode()).isEqualTo(Attempt.Transient.REQUEST_TIMEOUT);
                assertThat(failure.latency()).isBetween(READ_TIMEOUT, READ_TIMEOUT.plusSeconds(2));
            });
        }
    }

    /** Accepts one call, reads its request and answers 200 with a declared body sent one byte every 100 ms. */
    private static void trickle(ServerSocket provider) {
        try (Socket socket = provider.accept()) {
            socket.getInputStream().read(new byte[65536]);
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 1000; i++) {
                out.write(' ');
                out.flush();
                Thread.sleep(100);
            }
        } catch (IOException | InterruptedException e) {
            // the client hung up: what the test wants
        }
    }

    @Test
    void theConnectionIsReadyBeforeTheDepartureAndTheRequestLeavesAfterIt() throws Exception {
        // A burst granted in advance opens its connections while it waits for its slot: only the request waits.
        try (ServerSocket provider = new ServerSocket(0)) {
            CountDownLatch accepted = new CountDownLatch(1);
            AtomicLong firstByte = new AtomicLong();
            Thread.ofVirtual().start(() -> answerOnce(provider, accepted, firstByte));
            UpstreamClient direct = clientFor(URI.create("http://127.0.0.1:" + provider.getLocalPort()));
            AtomicLong departed = new AtomicLong();
            AtomicLong sent = new AtomicLong();

            Attempt attempt = direct.call(
                    KEY,
                    "/v1/chat/completions",
                    CHAT,
                    () -> {
                        assertThat(accepted.await(5, TimeUnit.SECONDS))
                                .as("the provider accepted the connection before the departure")
                                .isTrue();
                        // The departure itself: a slot that opens 200 ms later, as one granted in advance does; all
                        // that time the provider has no byte of the request.
                        await("nothing sent before the departure")
                                .during(Duration.ofMillis(200))
                                .atMost(Duration.ofSeconds(2))
                                .until(() -> firstByte.get() == 0);
                        departed.set(System.nanoTime());
                    },
                    sent::set);

            assertThat(attempt).isInstanceOf(Attempt.Success.class);
            assertThat(departed.get()).isPositive();
            assertThat(firstByte.get())
                    .as("the request's first byte reached the provider after the departure")
                    .isGreaterThan(departed.get());
            assertThat(sent.get()).isGreaterThan(departed.get());
        }
    }

    @Test
    void aDepartureInterruptedSendsNothingAndClosesTheConnection() throws Exception {
        try (ServerSocket provider = new ServerSocket(0)) {
            CountDownLatch accepted = new CountDownLatch(1);
            AtomicLong firstByte = new AtomicLong();
            Thread server = Thread.ofVirtual().start(() -> answerOnce(provider, accepted, firstByte));
            UpstreamClient direct = clientFor(URI.create("http://127.0.0.1:" + provider.getLocalPort()));
            AtomicLong sent = new AtomicLong();

            assertThatThrownBy(() -> direct.call(
                            KEY,
                            "/v1/chat/completions",
                            CHAT,
                            () -> {
                                throw new InterruptedException("shutting down");
                            },
                            sent::set))
                    .isInstanceOf(InterruptedException.class);

            server.join(Duration.ofSeconds(5));
            assertThat(server.isAlive())
                    .as("the provider saw the connection closed")
                    .isFalse();
            assertThat(accepted.getCount()).isZero();
            assertThat(firstByte.get()).as("no byte of the request").isZero();
            assertThat(sent.get()).isZero();
        }
    }

    @Test
    void callsLessThanASecondApartShareOneConnection() throws Exception {
        try (KeepAliveProvider provider = new KeepAliveProvider(Duration.ofSeconds(10), 0)) {
            UpstreamClient direct = clientFor(provider.baseUrl());

            for (int i = 0; i < 3; i++) {
                assertThat(call(direct, "/v1/chat/completions", CHAT)).isInstanceOf(Attempt.Success.class);
            }

            assertThat(provider.requests()).isEqualTo(3);
            assertThat(provider.connections()).isOne();
        }
    }

    @Test
    void aKeptConnectionTheServerClosedWhileIdleIsReplacedNotAFailedAttempt() throws Exception {
        // A server that closes an idle connection after 200 ms without saying so (gunicorn does after 2 s).
        try (KeepAliveProvider provider = new KeepAliveProvider(Duration.ofMillis(200), 0)) {
            AtomicLong nanos = new AtomicLong();
            UpstreamClient direct =
                    new UpstreamClient(properties(provider.baseUrl(), DataSize.ofMegabytes(16)), nanos::get);
            assertThat(call(direct, "/v1/chat/completions", CHAT)).isInstanceOf(Attempt.Success.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> provider.idleClosed() == 1);

            // Idle for over a second on the client's clock: the next call has the JDK check its kept connection,
            // which finds it closed and opens another.
            nanos.addAndGet(Duration.ofMillis(1_200).toNanos());
            Attempt second = call(direct, "/v1/chat/completions", CHAT);

            assertThat(second).isInstanceOf(Attempt.Success.class);
            assertThat(provider.requests()).isEqualTo(2);
            assertThat(provider.connections()).isEqualTo(2);
        }
    }

    @Test
    void aRequestTheProviderDroppedUnansweredIsNeverSentAgain() throws Exception {
        // The second request, sent unstreamed on the connection kept from the first, is read and its connection closed
        // without an answer. The provider may have acted on it and the pacer counted one send: the JDK must not send
        // it again on a new connection (it would, with sun.net.http.retryPost on).
        try (KeepAliveProvider provider = new KeepAliveProvider(Duration.ofSeconds(10), 2)) {
            UpstreamClient direct = clientFor(provider.baseUrl());
            assertThat(call(direct, "/v1/chat/completions", CHAT)).isInstanceOf(Attempt.Success.class);

            Attempt second = call(direct, "/v1/chat/completions", CHAT);

            assertThat(second)
                    .isInstanceOfSatisfying(
                            Attempt.Transient.class,
                            t -> assertThat(t.errorCode()).isEqualTo(Attempt.Transient.UPSTREAM_UNREACHABLE));
            assertThat(provider.requests()).isEqualTo(2);
            assertThat(provider.connections()).isOne();
        }
    }

    /**
     * An HTTP/1.1 provider that keeps connections alive, answering each chat completion, and closes a connection idle
     * for {@code idleClose} without saying so (its side only); the {@code dropped}th request (from 1; 0 for none) is read and its
     * connection closed unanswered.
     */
    private static final class KeepAliveProvider implements AutoCloseable {

        private final ServerSocket server = new ServerSocket(0);
        private final AtomicLong connections = new AtomicLong();
        private final AtomicLong requests = new AtomicLong();
        private final AtomicLong idleClosed = new AtomicLong();

        KeepAliveProvider(Duration idleClose, int dropped) throws IOException {
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        connections.incrementAndGet();
                        Thread.ofVirtual().start(() -> serve(socket, idleClose, dropped));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        URI baseUrl() {
            return URI.create("http://127.0.0.1:" + server.getLocalPort());
        }

        long connections() {
            return connections.get();
        }

        long requests() {
            return requests.get();
        }

        /** How many connections it has closed for being idle. */
        long idleClosed() {
            return idleClosed.get();
        }

        private void serve(Socket socket, Duration idleClose, int dropped) {
            try (socket) {
                socket.setSoTimeout(Math.toIntExact(idleClose.toMillis()));
                InputStream in = socket.getInputStream();
                while (true) {
                    int length;
                    try {
                        length = readHead(in);
                    } catch (SocketTimeoutException idle) {
                        // Closed toward the client (its FIN), as a server closing an idle connection does. Whatever
                        // the client still sends is read and dropped (a closed socket would reset it, which on
                        // loopback the JDK sees while writing and retries on its own, hiding what is under test).
                        socket.shutdownOutput();
                        idleClosed.incrementAndGet();
                        socket.setSoTimeout(10_000);
                        in.transferTo(OutputStream.nullOutputStream());
                        return;
                    }
                    if (length < 0) {
                        return;
                    }
                    in.readNBytes(length);
                    if (requests.incrementAndGet() == dropped) {
                        return;
                    }
                    byte[] body = """
                            {"id":"chatcmpl-1","object":"chat.completion","model":"openai/gpt-4o-mini","choices":[{\
                            "index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],\
                            "usage":{"prompt_tokens":2,"completion_tokens":1,"total_tokens":3}}""".getBytes(StandardCharsets.UTF_8);
                    OutputStream out = socket.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                                    + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                }
            } catch (IOException e) {
                // idle for idleClose, or the client hung up: the connection closes
            }
        }

        /** Reads a request's head; its Content-Length, or -1 when the connection closed first. */
        private static int readHead(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return -1;
                }
                head.append((char) b);
            }
            for (String line : head.toString().split("\r\n")) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    return Integer.parseInt(
                            line.substring("content-length:".length()).strip());
                }
            }
            return 0;
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /**
     * Accepts one connection, notes when its first byte arrives (0 if it closes first), and answers a chat completion
     * to a request.
     */
    private static void answerOnce(ServerSocket provider, CountDownLatch accepted, AtomicLong firstByte) {
        try (Socket socket = provider.accept()) {
            accepted.countDown();
            InputStream in = socket.getInputStream();
            int first = in.read();
            if (first < 0) {
                return;
            }
            firstByte.set(System.nanoTime());
            in.read(new byte[65536]);
            byte[] body = """
                    {"id":"chatcmpl-1","object":"chat.completion","model":"openai/gpt-4o-mini","choices":[{"index":0,\
                    "message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],\
                    "usage":{"prompt_tokens":2,"completion_tokens":1,"total_tokens":3}}""".getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(
                    ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
        } catch (IOException e) {
            // the client hung up
        }
    }

    @Test
    void aResetOrATruncatedBodyIsTransientWithoutAnswer() throws Exception {
        for (FaultRates fault : List.of(FaultRates.NONE.withReset(1.0), FaultRates.NONE.withTruncate(1.0))) {
            SIMULATOR.update(config -> config.withFaults(fault));

            Attempt attempt = call(client, "/v1/chat/completions", CHAT);

            assertThat(attempt).as("%s", fault).isInstanceOfSatisfying(Attempt.Transient.class, failure -> {
                assertThat(failure.status()).isNull();
                assertThat(failure.errorCode()).isEqualTo(Attempt.Transient.UPSTREAM_UNREACHABLE);
            });
        }
    }

    @Test
    void aServerErrorIsTransientWithItsStatus() throws Exception {
        SIMULATOR.update(config -> config.withFaults(FaultRates.failures(1.0)));

        assertThat(call(client, "/v1/chat/completions", CHAT))
                .isInstanceOfSatisfying(
                        Attempt.Transient.class,
                        failure -> assertThat(failure.status()).isBetween(500, 599));
    }

    @Test
    void aDisabledEndpointOrUnknownModelIsPermanent() throws Exception {
        assertThat(call(client, "/v1/embeddings", "{\"model\":\"openai/text-embedding-3-small\",\"input\":\"x\"}"))
                .isInstanceOfSatisfying(
                        Attempt.Permanent.class,
                        refusal -> assertThat(refusal.status()).isEqualTo(404));
        assertThat(call(client, "/v1/chat/completions", CHAT.replace(MODEL, "acme/none")))
                .isInstanceOfSatisfying(
                        Attempt.Permanent.class,
                        refusal -> assertThat(refusal.status()).isEqualTo(400));
    }

    @Test
    void aProviderThatIsNotThereIsUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        Attempt attempt = call(clientFor(URI.create("http://127.0.0.1:" + closedPort)), "/v1/chat/completions", CHAT);

        assertThat(attempt)
                .isInstanceOfSatisfying(
                        Attempt.Transient.class,
                        failure -> assertThat(failure.errorCode()).isEqualTo(Attempt.Transient.UPSTREAM_UNREACHABLE));
    }

    @Test
    void anAnswerOverTheSizeCapIsPermanentAndNotKept() throws Exception {
        // The simulator echoes the prompt, so a 2 KiB prompt brings an answer over the 1 KiB cap.
        Attempt attempt = call(smallCapClient, "/v1/chat/completions", chat("word ".repeat(400)));

        assertThat(attempt).isInstanceOfSatisfying(Attempt.Permanent.class, refusal -> {
            assertThat(refusal.status()).isNull();
            assertThat(refusal.body()).isNull();
            assertThat(refusal.errorCode()).isEqualTo(Attempt.Permanent.RESPONSE_TOO_LARGE);
            assertThat(refusal.message()).contains("HTTP 200", "sluice.upstream.max-response-size", "1024 bytes");
        });
        assertThat(call(smallCapClient, "/v1/chat/completions", CHAT))
                .as("an answer under the cap, same client")
                .isInstanceOf(Attempt.Success.class);
    }

    @Test
    void aStreamOverTheSizeCapIsBrokenOff() throws Exception {
        SIMULATOR.update(config -> config.withStreaming(StreamingMode.WORKING));
        try {
            StreamingCall streaming = new StreamingCall(properties(SIMULATOR.baseUrl(), SMALL_CAP));
            String body = chat("word ".repeat(400)).replace("\"messages\"", "\"stream\":true,\"messages\"");

            StreamingCall.Result result = streaming.call(KEY, "/v1/chat/completions", body, nanos -> {}, data -> true);

            assertThat(result)
                    .isInstanceOfSatisfying(
                            StreamingCall.Result.Broken.class,
                            broken -> assertThat(broken.why()).contains("sluice.upstream.max-response-size"));
        } finally {
            SIMULATOR.update(config -> config.withStreaming(StreamingMode.BROKEN));
        }
    }

    private static String chat(String content) {
        return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
    }

    private static UpstreamClient clientFor(URI baseUrl) {
        return new UpstreamClient(properties(baseUrl, DataSize.ofMegabytes(16)));
    }

    private static WorkerProperties properties(URI baseUrl, DataSize maxResponseSize) {
        var upstream = new WorkerProperties.Upstream(
                baseUrl, "sk-test", List.of(), Duration.ofSeconds(1), READ_TIMEOUT, false, maxResponseSize);
        return new WorkerProperties(
                upstream,
                new WorkerProperties.Pacing(Duration.ofMillis(100), 16, Duration.ofMillis(200)),
                new WorkerProperties.Lease(Duration.ofSeconds(10)),
                new WorkerProperties.Retry(5, Duration.ofSeconds(1), Duration.ofSeconds(60)),
                new WorkerProperties.Intake(Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofMinutes(5), 128),
                new WorkerProperties.Finalization(Duration.ofSeconds(5), Duration.ofSeconds(60), 100),
                new WorkerProperties.Rescue(Duration.ofSeconds(5), 500),
                new WorkerProperties.Webhook(
                        false,
                        Duration.ofSeconds(15),
                        List.of(),
                        0.2,
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(60),
                        50,
                        50,
                        5,
                        true),
                new WorkerProperties.Operations(Duration.ofSeconds(10)),
                new WorkerProperties.Alerts(null, Duration.ofMinutes(15), Duration.ofSeconds(30)),
                null,
                null);
    }

    private static final String KEY = "sk-test";

    private static Attempt call(UpstreamClient client, String path, String body) throws InterruptedException {
        AtomicLong sent = new AtomicLong();
        Attempt attempt = client.call(KEY, path, body, Departure.NOW, sent::set);
        return attempt;
    }
}
