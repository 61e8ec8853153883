package dev.sluice.worker.upstream;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * When the worker's connections to the provider went back to the JDK's keep-alive cache, so that a call can tell
 * whether the connection it is about to take may have been idle long enough for the server to have closed it.
 *
 * <p>The JDK checks a kept connection before it reuses it for a streamed {@code POST}: it reads the socket with a
 * 1 ms timeout ({@code sun.net.www.http.HttpClient.available()}), so every such call waits that millisecond whether or
 * not the server closed anything. An unstreamed {@code POST} skips the check, and with {@code sun.net.http.retryPost}
 * off the JDK does not send it again once written, so a connection the server closed meanwhile fails the attempt. So the client
 * skips the check only where no connection the JDK could hand it has been idle for {@link #FRESH} or more: a provider
 * called at least once a second (a facade caller, a batch under way) pays no millisecond; one called again after a
 * pause is checked as before.
 *
 * <p>The record mirrors the JDK's cache without seeing into it, erring toward "may be stale". The JDK hands out the
 * connection kept last; so does {@link #taken}, called once a connection is made ready. {@link #returning} is called
 * just before the answer's body is read (the JDK keeps the connection once it is read), so the time recorded is never
 * later than the one the JDK's cache holds, and a record is there before its connection is. A record whose connection
 * the JDK closed instead of keeping stays until taken or until the JDK would no longer reuse it: it only makes a check
 * happen that was not needed. One gap is left: an answer without a body is kept by the JDK while its status is read,
 * a moment before {@link #returning}, and a call taking a connection in that moment can leave the record one
 * connection behind; the worst it does is an attempt on a closed connection, which fails and is retried. Thread-safe.
 */
final class KeptConnections {

    /** A connection idle for less than this is reused without the JDK's check. */
    static final Duration FRESH = Duration.ofSeconds(1);

    private final long freshNanos;
    /** After how long a record is dropped: the JDK no longer reuses its connection (its idle limit, plus a margin). */
    private final long forgottenNanos;
    /** When each kept connection went back, oldest first. */
    private final ArrayDeque<Long> returned = new ArrayDeque<>();

    /** @param keptAtMost how long the JDK keeps an idle connection ({@code http.keepAlive.time.server}) */
    KeptConnections(Duration keptAtMost) {
        this.freshNanos = FRESH.toNanos();
        this.forgottenNanos = keptAtMost.plusSeconds(1).toNanos();
    }

    /** True when every connection the JDK may reuse at {@code now} went back less than {@link #FRESH} ago. */
    synchronized boolean allFresh(long now) {
        Long oldest;
        while ((oldest = returned.peekFirst()) != null && now - oldest > forgottenNanos) {
            returned.pollFirst();
        }
        return oldest == null || now - oldest < freshNanos;
    }

    /** A call's connection is ready: the JDK took the connection kept last, or opened one when it kept none. */
    synchronized void taken() {
        returned.pollLast();
    }

    /** A call is about to read the rest of its answer, after which the JDK keeps its connection. */
    synchronized void returning(long now) {
        returned.addLast(now);
    }

    /** How many connections are recorded as kept (for tests). */
    synchronized int size() {
        return returned.size();
    }
}
