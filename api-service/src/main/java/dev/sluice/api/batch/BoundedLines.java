package dev.sluice.api.batch;

import dev.sluice.api.web.ApiException;
import java.io.IOException;
import java.io.Reader;

/**
 * The lines of a batch input file, read one at a time and never longer than a limit: a line longer than
 * {@code maxChars} is a 400 naming it ({@code line[n]}) as soon as the limit is passed, before more of it is read.
 * Files stored before uploads had a line limit may hold such a line. Lines end at {@code \n}, as the upload check
 * counts them; a {@code \r} before it is dropped.
 */
final class BoundedLines {

    private final Reader in;
    private final int maxChars;
    private final String fileId;
    private final StringBuilder line = new StringBuilder();
    private int lineNo;

    BoundedLines(Reader in, int maxChars, String fileId) {
        this.in = in;
        this.maxChars = maxChars;
        this.fileId = fileId;
    }

    /** The 1-based number of the line {@link #next} returned last. */
    int lineNo() {
        return lineNo;
    }

    /** The next line without its end, or null at the end of the file. */
    String next() throws IOException {
        line.setLength(0);
        int c = in.read();
        if (c < 0) {
            return null;
        }
        lineNo++;
        for (; c >= 0 && c != '\n'; c = in.read()) {
            if (line.length() == maxChars) {
                throw ApiException.invalid(
                        "line[" + lineNo + "]",
                        "line_too_long",
                        "Line " + lineNo + " of file "
                                + fileId + " is longer than " + maxChars + " characters, the longest line accepted "
                                + "(sluice.input.max-line-size).");
            }
            line.append((char) c);
        }
        if (!line.isEmpty() && line.charAt(line.length() - 1) == '\r') {
            line.setLength(line.length() - 1);
        }
        return line.toString();
    }
}
