package dev.sluice.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP client over a raw socket with a tiny receive window that reads the first bytes of an answer and then
 * stops reading, leaving the server blocked in its writes (or, for a stream, idle) until it is closed.
 *
 * @param socket the connection, open until closed
 * @param head   the first bytes read: the start of the status line, e.g. {@code HTTP/1.1 200}
 */
record SlowReader(Socket socket, String head) implements AutoCloseable {

    /** Sends {@code GET path} with the tenant's key to the api on {@code port} and reads the status line's start. */
    static SlowReader start(int port, String path, String key) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(2048);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        socket.getOutputStream()
                .write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return new SlowReader(socket, new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
