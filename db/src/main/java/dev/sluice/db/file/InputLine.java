package dev.sluice.db.file;

import java.nio.charset.StandardCharsets;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Renders one job of an inline batch as a line of an OpenAI batch input file:
 * {@code {"custom_id", "method": "POST", "url", "body"}}. The body is the stored text as the client sent
 * it, with any line breaks between its tokens turned into spaces so that the line stays one line (JSON
 * allows no raw line break inside a string, so only whitespace changes). The same rendering sizes the file
 * when the batch is stored and fills it on every read, so its {@code bytes} is the downloaded length.
 */
public final class InputLine {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private InputLine() {}

    /** The line for one job, without the trailing newline. */
    public static String render(String customId, String url, String body) {
        return "{\"custom_id\":" + JSON.writeValueAsString(customId) + ",\"method\":\"POST\",\"url\":"
                + JSON.writeValueAsString(url) + ",\"body\":"
                // A body the retention sweep removed while the file was being read renders as null.
                + (body == null ? "null" : body.replace('\n', ' ').replace('\r', ' ')) + "}";
    }

    /** The size in the file of that line and its newline, in bytes of UTF-8. */
    public static long bytes(String customId, String url, String body) {
        return render(customId, url, body).getBytes(StandardCharsets.UTF_8).length + 1L;
    }
}
