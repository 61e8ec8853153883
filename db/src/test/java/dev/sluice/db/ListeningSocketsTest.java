package dev.sluice.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The driver's peek after a notification answers at once; every other read is the stream's own. */
class ListeningSocketsTest {

    private static final Duration HANG = Duration.ofSeconds(5);

    @Test
    void aPeekWithNothingPendingFailsAtOnceInsteadOfWaiting() throws IOException {
        PipedInputStream socket = new PipedInputStream();
        try (PipedOutputStream server = new PipedOutputStream(socket)) {
            // Nothing was written: the pipe's own read would block until something is.
            var stream = new ListeningSockets.PeekingStream(socket, () -> true);

            assertTimeoutPreemptively(
                    HANG,
                    () -> assertThatThrownBy(() -> stream.read(new byte[8], 0, 8))
                            .isInstanceOf(SocketTimeoutException.class));
            assertTimeoutPreemptively(
                    HANG, () -> assertThatThrownBy(stream::read).isInstanceOf(SocketTimeoutException.class));
        }
    }

    @Test
    void aPeekWithABytePendingReadsIt() throws IOException {
        PipedInputStream socket = new PipedInputStream();
        try (PipedOutputStream server = new PipedOutputStream(socket)) {
            server.write('A');
            var stream = new ListeningSockets.PeekingStream(socket, () -> true);

            assertThat(stream.read()).isEqualTo('A');
        }
    }

    @Test
    void aWaitThatIsNotAPeekBlocksUntilTheNextByte() throws Exception {
        PipedInputStream socket = new PipedInputStream();
        try (PipedOutputStream server = new PipedOutputStream(socket)) {
            AtomicBoolean peeking = new AtomicBoolean(true);
            var stream = new ListeningSockets.PeekingStream(socket, peeking::get);
            assertThatThrownBy(stream::read).isInstanceOf(SocketTimeoutException.class);

            peeking.set(false);
            byte[] buffer = new byte[4];
            CompletableFuture<Integer> read = new CompletableFuture<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    read.complete(stream.read(buffer, 0, 4));
                } catch (IOException e) {
                    read.completeExceptionally(e);
                }
            });
            // The read waits for a byte rather than failing as a peek would.
            await().atMost(HANG)
                    .until(() -> reader.getState() == Thread.State.WAITING
                            || reader.getState() == Thread.State.TIMED_WAITING);
            assertThat(read).isNotDone();

            server.write('Z');
            server.flush();

            assertThat(read.get(HANG.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(buffer[0]).isEqualTo((byte) 'Z');
        }
    }
}
