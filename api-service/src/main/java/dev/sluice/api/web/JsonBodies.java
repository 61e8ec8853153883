package dev.sluice.api.web;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;

/** Reads a whole request body, already capped by {@link BodySizeLimitFilter}, for the JSON readers. */
public final class JsonBodies {

    private JsonBodies() {}

    /**
     * The body's bytes; a 413 when it passes the cap, a 400 when it is empty or is not UTF-8 (the
     * only encoding JSON allows between systems, RFC 8259 §8.1, and the one byte offsets assume).
     */
    public static byte[] read(HttpServletRequest request) {
        byte[] bytes;
        try (InputStream in = request.getInputStream()) {
            long declared = request.getContentLengthLong();
            bytes = declared >= 0 && declared < Integer.MAX_VALUE - 16
                    ? in.readNBytes((int) declared)
                    : in.readAllBytes();
        } catch (IOException e) {
            if (BodySizeLimitFilter.causedByLimit(e)) {
                throw BodySizeLimitFilter.tooLarge(e);
            }
            // The client went away or sent a broken chunked body; nobody is left to read a 500.
            throw ApiException.invalid(null, "unreadable_body", "The request body could not be read completely.");
        }
        if (bytes.length == 0) {
            throw ApiException.invalid(null, "invalid_json", "The request body is empty. Send a JSON object.");
        }
        // UTF-16 and UTF-32 put a zero byte among the first four of any JSON text; UTF-8 never does.
        for (int i = 0; i < Math.min(4, bytes.length); i++) {
            if (bytes[i] == 0) {
                throw ApiException.invalid(null, "invalid_json", "The request body must be JSON encoded as UTF-8.");
            }
        }
        return bytes;
    }
}
