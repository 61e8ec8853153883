package dev.sluice.api.file;

import dev.sluice.api.web.ApiException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Checks an upload's bytes, fed in parts as they are stored, for the shape of a batch input file:
 * UTF-8 text whose every non-blank line starts a JSON object. The lines' content is checked when a
 * batch is created from the file, with the same rules as inline requests. A UTF-8 byte order mark at
 * the start, as some Windows editors write, is allowed. No line may be longer than
 * {@code sluice.input.max-line-size} bytes, so that reading a line back never holds more than that.
 */
final class JsonlCheck {

    private static final byte[] BYTE_ORDER_MARK = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final CharsetDecoder utf8 = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final CharBuffer decoded = CharBuffer.allocate(8192);
    private ByteBuffer leftover = ByteBuffer.allocate(0);
    private long line = 1;
    private boolean lineStarted;
    private boolean anyLine;
    private int bomBytesSeen;
    private final long maxLineBytes;
    private long lineBytes;

    JsonlCheck(long maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    /** Checks the next {@code length} bytes of the file. */
    void feed(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            byte b = bytes[i];
            if (partOfByteOrderMark(b)) {
                continue;
            }
            if (b == '\n') {
                line++;
                lineStarted = false;
                lineBytes = 0;
                continue;
            }
            if (++lineBytes > maxLineBytes) {
                throw ApiException.invalid(
                        "file",
                        "line_too_long",
                        "Line " + line + " of the file is longer than " + maxLineBytes
                                + " bytes, the longest line accepted (sluice.input.max-line-size).");
            }
            if (!lineStarted && b != ' ' && b != '\t' && b != '\r') {
                if (b != '{') {
                    throw ApiException.invalid(
                            "file",
                            "invalid_file_format",
                            "Line " + line
                                    + " of the file is not a JSON object: a batch input file has one request object "
                                    + "{custom_id, method, url, body} per line (JSONL).");
                }
                lineStarted = true;
                anyLine = true;
            } else if (b == 0) {
                throw notUtf8();
            }
        }
        decode(ByteBuffer.wrap(bytes, 0, length), false);
    }

    /** Checks that the file ended well: not in the middle of a character, and not without any line. */
    void finish() {
        decode(ByteBuffer.allocate(0), true);
        if (!anyLine) {
            throw ApiException.invalid(
                    "file",
                    "empty_file",
                    "The file holds no request: a batch input file has one request object per line (JSONL).");
        }
    }

    /** Whether {@code b} is one of the first three bytes of the file and they spell EF BB BF so far. */
    private boolean partOfByteOrderMark(byte b) {
        if (line == 1 && !lineStarted && bomBytesSeen < BYTE_ORDER_MARK.length && b == BYTE_ORDER_MARK[bomBytesSeen]) {
            bomBytesSeen++;
            return true;
        }
        bomBytesSeen = BYTE_ORDER_MARK.length;
        return false;
    }

    private void decode(ByteBuffer next, boolean endOfInput) {
        ByteBuffer input = leftover.hasRemaining() ? join(leftover, next) : next;
        while (true) {
            decoded.clear();
            CoderResult result = utf8.decode(input, decoded, endOfInput);
            if (result.isError()) {
                throw notUtf8();
            }
            if (result.isUnderflow()) {
                break;
            }
        }
        if (endOfInput) {
            decoded.clear();
            if (utf8.flush(decoded).isError()) {
                throw notUtf8();
            }
        }
        // A character split across two parts is finished with the next part.
        leftover = ByteBuffer.allocate(input.remaining()).put(input).flip();
    }

    private static ByteBuffer join(ByteBuffer first, ByteBuffer second) {
        return ByteBuffer.allocate(first.remaining() + second.remaining())
                .put(first)
                .put(second)
                .flip();
    }

    private ApiException notUtf8() {
        return ApiException.invalid(
                "file",
                "invalid_file_encoding",
                "The file is not UTF-8 text (line " + line + "): a batch input file is JSONL encoded as UTF-8.");
    }
}
