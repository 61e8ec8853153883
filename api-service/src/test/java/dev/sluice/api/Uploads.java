package dev.sluice.api;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A {@code multipart/form-data} body for {@code POST /v1/files}, built by hand so that tests can
 * also send what a careless client would: no {@code file} part, another purpose, an empty file.
 * {@code anUpload().purpose("batch").file("in.jsonl", bytes).request(builder)}.
 */
final class Uploads {

    private final String boundary = "----sluice-" + UUID.randomUUID();
    private final Map<String, String> fields = new LinkedHashMap<>();
    private String filename;
    private byte[] content;

    static Uploads anUpload() {
        return new Uploads().purpose("batch");
    }

    Uploads purpose(String purpose) {
        if (purpose == null) {
            fields.remove("purpose");
        } else {
            fields.put("purpose", purpose);
        }
        return this;
    }

    Uploads file(String name, byte[] bytes) {
        this.filename = name;
        this.content = bytes;
        return this;
    }

    Uploads file(String name, String text) {
        return file(name, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sets the body and its content type on {@code builder}. */
    HttpRequest request(HttpRequest.Builder builder) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        fields.forEach((name, value) -> body.writeBytes(
                ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n")
                        .getBytes(StandardCharsets.UTF_8)));
        if (content != null) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                            + filename + "\"\r\nContent-Type: application/jsonl\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            body.writeBytes(content);
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return builder.header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .build();
    }

    /** {@code n} lines of a chat batch input file for {@code model}, custom_ids {@code req-1..n}. */
    static String chatLines(int n, String model) {
        StringBuilder lines = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            lines.append(chatLine("req-" + i, model)).append('\n');
        }
        return lines.toString();
    }

    /** One line of a chat batch input file. */
    static String chatLine(String customId, String model) {
        return "{\"custom_id\":\"" + customId + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":"
                + "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi " + customId
                + "\"}]}}";
    }
}
