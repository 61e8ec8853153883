package dev.sluice.worker.upstream;

import static dev.sluice.worker.upstream.UpstreamEndpoint.since;

import dev.sluice.worker.WorkerProperties;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Makes one attempt: POSTs a job's stored body to {@code base-url + job url} with the provider key and
 * classifies whatever happens into an {@link Attempt}. It never throws for anything the provider or the
 * network does. The call blocks the job's own (virtual) thread on the JDK's {@link HttpURLConnection}, with no
 * hand-off to a selector or executor thread; its connections are kept alive between calls (HTTP/1.1), at most
 * {@code sluice.intake.max-in-flight} idle ones per provider (one per job the worker runs at once). The JDK never sends
 * a written POST again on its own ({@code sun.net.http.retryPost} is set off); only a write that fails is made again, on
 * a new connection.
 *
 * <p>A body of up to {@value #UNSTREAMED_AT_MOST} bytes goes out in one write, unstreamed, when every connection the
 * JDK could reuse for it was idle for less than a second ({@link KeptConnections}): the JDK then skips the 1 ms check
 * it makes of a kept connection before a streamed {@code POST}. Otherwise (a larger body, or a provider not called for
 * a second) the body is streamed with a fixed length and the JDK checks the connection, opening another if the server
 * closed it while idle.
 *
 * <p>The connection is made ready before the request waits for its slot ({@link Departure}), at most the pacing
 * lookahead (200 ms by default). So that a kept connection is not closed by its server during that wait, one idle for
 * over 5 s less the lookahead (whole seconds: 4 s by default) is not reused when the server does not say how long it
 * keeps connections: 5 s is uvicorn's default (under vLLM and LiteLLM) and the JDK's own. A server that closes sooner
 * without saying (gunicorn's 2 s), or that names its timeout ({@code Keep-Alive: timeout=}, which the JDK takes at its
 * word), may still close a kept connection during the wait: that attempt fails and is retried.
 *
 * <p>The connect timeout bounds the connecting; the read timeout bounds the rest of the attempt as a whole, body
 * included ({@link CallDeadline} interrupts a call that outlives it, which closes its socket), so a lease longer than
 * connect + read timeout, plus the wait for the slot, always outlives the call. The answer is read up to {@code
 * sluice.upstream.max-response-size}; a larger one is dropped unread and is a permanent failure ({@code
 * response_too_large}). Neither the key nor any body is logged.
 */
@Component
public class UpstreamClient {

    /** The largest body sent unstreamed, in one write with the headers. */
    static final int UNSTREAMED_AT_MOST = 64 * 1024;

    private final String baseUrl;
    private final int connectTimeoutMillis;
    private final Duration readTimeout;
    private final long maxResponseBytes;
    private final KeptConnections kept;
    /** Times the kept connections' idleness, in nanoseconds ({@link System#nanoTime()}; tests tick one of their own). */
    private final LongSupplier keptClock;
    /** False when the operator let the JDK re-send POSTs: then every body is streamed, which it never re-sends. */
    private final boolean unstreamedAllowed;

    @Autowired
    UpstreamClient(WorkerProperties properties) {
        this(properties, System::nanoTime);
    }

    UpstreamClient(WorkerProperties properties, LongSupplier keptClock) {
        WorkerProperties.Upstream upstream = properties.upstream();
        this.baseUrl = upstream.baseUrlText();
        this.connectTimeoutMillis = Math.toIntExact(upstream.connectTimeout().toMillis());
        this.readTimeout = upstream.readTimeout();
        this.maxResponseBytes = upstream.maxResponseSize().toBytes();
        keepAtLeast(properties.intake().maxInFlight());
        Duration keptAtMost =
                keepIdleAtMost(Duration.ofSeconds(5).minus(properties.pacing().lookahead()));
        this.unstreamedAllowed = neverResendPosts();
        this.kept = new KeptConnections(keptAtMost);
        this.keptClock = keptClock;
    }

    /**
     * Calls {@code POST base-url + path} with {@code body} and {@code apiKey} and returns what it came to. The
     * connection is made ready first (a kept one taken, or a new one opened), then the request waits for {@code
     * departure} and leaves: a request granted in advance opens its connection while it waits for its slot, so a
     * burst's requests leave together when the slot opens rather than one new connection after another. {@code onSent}
     * receives the {@link System#nanoTime()} at which the request's last bytes were handed to the connection — what
     * the pacer counts — unless the request never got that far.
     */
    public Attempt call(String apiKey, String path, String body, Departure departure, LongConsumer onSent)
            throws InterruptedException {
        long started = System.nanoTime();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        boolean streamed =
                !unstreamedAllowed || bytes.length > UNSTREAMED_AT_MOST || !kept.allFresh(keptClock.getAsLong());
        HttpURLConnection connection;
        try {
            connection = open(URI.create(baseUrl + path).toURL(), apiKey, streamed ? bytes.length : -1);
        } catch (IOException | IllegalArgumentException e) {
            return unreachable("the call to the provider failed: " + describe(e), started);
        }
        try {
            connection.connect();
        } catch (SocketTimeoutException e) {
            return unreachable("could not connect to the provider in time", started);
        } catch (IOException e) {
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while connecting to the provider");
            }
            return failed(e, started);
        }
        kept.taken();
        try {
            departure.await();
        } catch (InterruptedException | RuntimeException e) {
            // Nothing was sent: the connection is closed rather than kept.
            connection.disconnect();
            throw e;
        }
        CallDeadline deadline = new CallDeadline(readTimeout);
        try {
            return exchange(connection, bytes, onSent, started);
        } catch (IOException e) {
            connection.disconnect();
            if (deadline.end()) {
                return timedOut(started);
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted during the call to the provider");
            }
            return failed(e, started);
        } finally {
            deadline.end();
        }
    }

    /** Opens (does not connect) the request; {@code streamedLength} -1 buffers the body and sends it unstreamed. */
    private HttpURLConnection open(URL url, String apiKey, int streamedLength) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) url.openConnection();
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setInstanceFollowRedirects(false);
        connection.setUseCaches(false);
        connection.setConnectTimeout(connectTimeoutMillis);
        connection.setReadTimeout(Math.toIntExact(Math.min(Integer.MAX_VALUE, readTimeout.toMillis())));
        connection.setRequestProperty("Authorization", "Bearer " + apiKey);
        connection.setRequestProperty("Content-Type", "application/json");
        connection.setRequestProperty("Accept", "application/json");
        if (streamedLength >= 0) {
            connection.setFixedLengthStreamingMode(streamedLength);
        }
        return connection;
    }

    private Attempt exchange(HttpURLConnection connection, byte[] bytes, LongConsumer onSent, long started)
            throws IOException {
        try (OutputStream out = connection.getOutputStream()) {
            out.write(bytes);
        }
        // Streamed, closing the fixed-length stream flushed its last bytes to the socket: the moment the pacer counts.
        // Unstreamed, the body (at most UNSTREAMED_AT_MOST bytes) goes with the headers in the write that starts
        // getResponseCode, right after; only a write that fails (the server closed the connection) is made
        // again by the JDK, on a new connection, after this time.
        onSent.accept(System.nanoTime());
        int status = connection.getResponseCode();
        kept.returning(keptClock.getAsLong());
        HttpHeaders headers = headers(connection.getHeaderFields());
        if (connection.getContentLengthLong() > maxResponseBytes) {
            connection.disconnect();
            return Attempt.Permanent.tooLarge(status, maxResponseBytes, since(started));
        }
        InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        Optional<String> text = in == null ? Optional.of("") : BoundedBody.read(in, maxResponseBytes);
        if (text.isEmpty()) {
            // Dropped unread: the rest of the answer must not be drained onto a kept connection.
            connection.disconnect();
            return Attempt.Permanent.tooLarge(status, maxResponseBytes, since(started));
        }
        return AttemptClassifier.classify(status, headers, text.get(), since(started));
    }

    private static HttpHeaders headers(Map<String, List<String>> fields) {
        Map<String, List<String>> named = new HashMap<>(fields.size());
        // The status line comes under the null key.
        fields.forEach((name, values) -> {
            if (name != null) {
                named.put(name, values);
            }
        });
        return HttpHeaders.of(named, (name, value) -> true);
    }

    private Attempt failed(IOException cause, long started) {
        return switch (cause) {
            case SocketTimeoutException e -> timedOut(started);
            case ConnectException e -> unreachable("could not connect to the provider: " + describe(e), started);
            // Reset connections and bodies cut short (Content-Length not reached) land here.
            default -> unreachable("the connection to the provider failed: " + describe(cause), started);
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

    /**
     * How long the JDK keeps an idle connection whose server did not say ({@code http.keepAlive.time.server}, in whole
     * seconds, at least 1), unless the operator set it; returns what is in force. Read once, when the JDK first keeps a
     * connection.
     */
    static Duration keepIdleAtMost(Duration idle) {
        String set = System.getProperty("http.keepAlive.time.server");
        if (set != null && set.strip().matches("\\d{1,9}")) {
            return Duration.ofSeconds(Long.parseLong(set.strip()));
        }
        if (set == null) {
            System.setProperty("http.keepAlive.time.server", String.valueOf(Math.max(1, idle.toSeconds())));
        }
        return Duration.ofSeconds(Math.max(1, idle.toSeconds()));
    }

    /**
     * The JDK re-sends an unstreamed {@code POST} once on its own when a kept connection fails before the answer
     * ({@code sun.net.http.retryPost}, on by default): a request the provider may have received, which the pacer never
     * counted. Set off unless the operator set it; true when it is off. Read once, when the JDK first opens a
     * connection.
     */
    static boolean neverResendPosts() {
        if (System.getProperty("sun.net.http.retryPost") == null) {
            System.setProperty("sun.net.http.retryPost", "false");
        }
        return "false"
                .equalsIgnoreCase(System.getProperty("sun.net.http.retryPost").strip());
    }

    /**
     * The JDK keeps at most {@code http.maxConnections} (default 5) idle connections per destination; a worker runs
     * up to {@code sluice.intake.max-in-flight} calls at once, and each connection beyond the kept ones would be
     * closed after its call and opened again for the next. Read once, when the JDK first keeps a connection.
     */
    private static void keepAtLeast(int connections) {
        String set = System.getProperty("http.maxConnections");
        if (set == null || !set.strip().matches("\\d{1,9}") || Integer.parseInt(set.strip()) < connections) {
            System.setProperty("http.maxConnections", String.valueOf(connections));
        }
    }
}
