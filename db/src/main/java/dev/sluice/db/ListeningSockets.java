package dev.sluice.db;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import javax.net.SocketFactory;

/**
 * The sockets of a listening connection ({@link Listening}), given to PostgreSQL's JDBC driver as its {@code
 * socketFactory}: plain sockets, except that the driver's look for a further message right after a notification
 * answers at once instead of waiting a millisecond.
 *
 * <p>The driver's notification loop ({@code getNotifications}), having read a notification, asks whether another
 * message is pending: with nothing buffered, it reads the socket with a timeout of 1 ms and takes the timeout for
 * "no". On a connection that only listens nothing else is coming, so every notification was handed over about 1.1 ms
 * after it arrived (docs/benchmarks.md, "Notifications heard at once"): the wake-up of an idle model's dispatcher, and
 * of a facade caller when its job finishes. Here a read made with exactly that timeout, when the kernel holds no
 * byte, fails at once as the timeout would have; a byte arriving later is read by the next wait, which blocks as
 * before. Every other read (the driver never sets a 1 ms timeout otherwise) is the socket's own.
 */
public final class ListeningSockets extends SocketFactory {

    /** The driver's timeout for its look for a pending message, in milliseconds. */
    static final int PEEK_TIMEOUT_MILLIS = 1;

    /** Public with no arguments: the driver instantiates it by name. */
    public ListeningSockets() {}

    @Override
    public Socket createSocket() {
        return new PeekingSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    /** A socket bound to {@code local} (unless null) and connected to {@code remote}. */
    private Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
        Socket socket = createSocket();
        if (local != null) {
            socket.bind(local);
        }
        socket.connect(remote);
        return socket;
    }

    /** A socket that remembers its read timeout, so that its stream knows a peek from a wait. */
    private static final class PeekingSocket extends Socket {

        private volatile int timeout;

        @Override
        public void setSoTimeout(int timeout) throws SocketException {
            super.setSoTimeout(timeout);
            this.timeout = timeout;
        }

        @Override
        public InputStream getInputStream() throws IOException {
            return new PeekingStream(super.getInputStream(), () -> timeout == PEEK_TIMEOUT_MILLIS);
        }
    }

    /** Whether the reads made now are the driver's peeks. */
    @FunctionalInterface
    interface Peeking {
        boolean now();
    }

    /** A stream whose reads during a peek fail at once when nothing is pending, as the peek's timeout would. */
    static final class PeekingStream extends FilterInputStream {

        private final Peeking peeking;

        PeekingStream(InputStream in, Peeking peeking) {
            super(in);
            this.peeking = peeking;
        }

        @Override
        public int read() throws IOException {
            nothingPendingFailsAPeek();
            return super.read();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            nothingPendingFailsAPeek();
            return super.read(buffer, offset, length);
        }

        private void nothingPendingFailsAPeek() throws IOException {
            if (peeking.now() && in.available() == 0) {
                throw new SocketTimeoutException("nothing pending");
            }
        }
    }
}
