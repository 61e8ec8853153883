package dev.sluice.simulator.http;

/**
 * Thrown out of a handler to drop the connection without finishing the response. The JDK server closes
 * the socket when a handler throws, without sending anything more: no status line if none was sent, no
 * terminating chunk, no remaining bytes of a fixed-length body. It is a FIN, not a TCP RST: HttpServer
 * offers no way to set SO_LINGER 0, and a client sees the same thing, a connection closed mid-exchange.
 */
public final class ConnectionDrop extends RuntimeException {

    /** {@code why} only shows up in a debugger; the client never sees it. */
    public ConnectionDrop(String why) {
        super(why, null, false, false);
    }
}
