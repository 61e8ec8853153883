package dev.sluice.worker.upstream;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A stream that fails with {@link TooLarge} once more than {@code maxBytes} have been read from it: a provider's
 * stream of events is read line by line, and one endless line, or an endless stream, must not fill the heap.
 */
final class BoundedInputStream extends FilterInputStream {

    /** The stream went past its bound. */
    static final class TooLarge extends IOException {
        TooLarge(long maxBytes) {
            super("more than " + maxBytes + " bytes");
        }
    }

    private final long maxBytes;
    private long read;

    BoundedInputStream(InputStream in, long maxBytes) {
        super(in);
        this.maxBytes = maxBytes;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    private void count(int n) throws TooLarge {
        read += n;
        if (read > maxBytes) {
            throw new TooLarge(maxBytes);
        }
    }
}
