package dev.sluice.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON over HTTP to Sluice, or to any OpenAI-compatible API, with one bearer key. Every failure
 * becomes a {@link CliException} whose one line names the cause and what to do: a refused key, an
 * unreachable server, something not found, a refused request.
 */
final class ApiClient {

    static final ObjectMapper JSON = JsonMapper.builder().build();

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
    /** Uploads send the whole file before the answer's headers come; the timeout must cover that. */
    private static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(30);

    private static final int MAX_MESSAGE_LENGTH = 300;

    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    private final URI base;
    private final String key;
    private final String keySetting;

    /**
     * @param base       the server, without {@code /v1} and without a trailing slash
     * @param key        the bearer key, never printed
     * @param keySetting where the key comes from, for messages ({@code SLUICE_API_KEY or --api-key})
     */
    ApiClient(URI base, String key, String keySetting) {
        this.base = base;
        this.key = key;
        this.keySetting = keySetting;
    }

    JsonNode get(String path) {
        return json(request(path).GET(), "GET", path, CALL_TIMEOUT);
    }

    JsonNode post(String path, JsonNode body) {
        return json(
                request(path)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))),
                "POST",
                path,
                CALL_TIMEOUT);
    }

    /** A POST without a body, as OpenAI's cancel is. */
    JsonNode post(String path) {
        return json(request(path).POST(HttpRequest.BodyPublishers.noBody()), "POST", path, CALL_TIMEOUT);
    }

    JsonNode put(String path, JsonNode body) {
        return json(
                request(path)
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))),
                "PUT",
                path,
                CALL_TIMEOUT);
    }

    JsonNode delete(String path) {
        return json(request(path).DELETE(), "DELETE", path, CALL_TIMEOUT);
    }

    /** OpenAI's {@code POST /v1/files}: multipart {@code purpose} and {@code file}, streamed from disk. */
    JsonNode upload(Path file, String purpose) {
        String boundary = "sluice-" + UUID.randomUUID();
        String name = file.getFileName().toString().replaceAll("[\"\\r\\n\\\\]", "_");
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n" + purpose
                        + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name
                        + "\"\r\nContent-Type: application/jsonl\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        HttpRequest.BodyPublisher body;
        try {
            body = HttpRequest.BodyPublishers.concat(
                    HttpRequest.BodyPublishers.ofByteArray(head),
                    HttpRequest.BodyPublishers.ofFile(file),
                    HttpRequest.BodyPublishers.ofByteArray(tail));
        } catch (IOException e) {
            throw new CliException(ExitCode.NOT_FOUND, "cannot read " + file + " (" + e.getMessage() + ").");
        }
        return json(
                request("/v1/files")
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(body),
                "POST",
                "/v1/files",
                UPLOAD_TIMEOUT);
    }

    /** Copies the body of {@code GET path} to {@code out} as it arrives; returns the bytes copied. */
    long download(String path, OutputStream out) {
        HttpResponse<InputStream> response =
                send(request(path).GET(), "GET", path, CALL_TIMEOUT, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            if (response.statusCode() / 100 != 2) {
                throw failure(
                        response.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8), "GET", path);
            }
            return in.transferTo(out);
        } catch (IOException e) {
            throw new CliException(
                    ExitCode.UNREACHABLE,
                    "lost the connection to " + base + " while downloading " + path + " (" + describe(e)
                            + "); run the command again.");
        }
    }

    /** The server's address, for messages. */
    URI base() {
        return base;
    }

    private HttpRequest.Builder request(String path) {
        // Appended, not resolved: a base with a path of its own (a proxy's /openai) keeps it.
        return HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + key)
                .header("User-Agent", "sluice-cli");
    }

    private JsonNode json(HttpRequest.Builder request, String method, String path, Duration timeout) {
        HttpResponse<String> response = send(request, method, path, timeout, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw failure(response.statusCode(), response.body(), method, path);
        }
        try {
            return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (JacksonException e) {
            throw new CliException(
                    ExitCode.SERVER_ERROR,
                    base + " answered " + method + " " + path + " with something that is not JSON: is " + base
                            + " the API's address (SLUICE_URL or --url)?");
        }
    }

    private <T> HttpResponse<T> send(
            HttpRequest.Builder request,
            String method,
            String path,
            Duration timeout,
            HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request.timeout(timeout).build(), handler);
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw new CliException(
                    ExitCode.UNREACHABLE,
                    "cannot reach " + base + " (" + connectFailure(e)
                            + "): is Sluice running there? Start it (bin/sluice-local start) or set SLUICE_URL or --url.",
                    true);
        } catch (HttpTimeoutException e) {
            throw new CliException(
                    ExitCode.UNREACHABLE,
                    base + " did not answer " + method + " " + path + " within " + timeout.toSeconds()
                            + " s; try again, or check the server.",
                    true);
        } catch (IOException e) {
            throw new CliException(
                    ExitCode.UNREACHABLE,
                    "lost the connection to " + base + " during " + method + " " + path + " (" + describe(e)
                            + "); try again.",
                    true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.UNREACHABLE, "interrupted during " + method + " " + path + ".");
        }
    }

    /** The one line for a non-2xx answer, with the server's own message (and never the key). */
    CliException failure(int status, String body, String method, String path) {
        String said = sentence(redact(message(body)));
        String call = " (" + status + " on " + method + " " + path + ")";
        return switch (status) {
            case 401, 403 ->
                new CliException(
                        ExitCode.KEY_REFUSED,
                        "the server refused the key" + call + ": " + said + " Check " + keySetting + ".");
            case 404 ->
                new CliException(
                        ExitCode.NOT_FOUND,
                        "not found" + call + ": " + said + " Check the id, and that SLUICE_URL (" + base
                                + ") is the right server.");
            case 429 ->
                new CliException(
                        ExitCode.REJECTED,
                        "too many requests" + call + ": " + said + " Wait a moment and try again.",
                        true);
            default ->
                status >= 500
                        ? new CliException(
                                ExitCode.SERVER_ERROR,
                                "the server failed" + call + ": " + said
                                        + " Try again; if it persists, the server's log says why.",
                                true)
                        : new CliException(ExitCode.REJECTED, "the server refused the request" + call + ": " + said);
        };
    }

    /** OpenAI's {@code error.message}, else the body itself, on one line and cut short. */
    static String message(String body) {
        String text = body == null ? "" : body;
        try {
            JsonNode error = JSON.readTree(text).path("error");
            if (error.path("message").isString()) {
                text = error.path("message").asString();
            } else if (error.isString()) {
                text = error.asString();
            }
        } catch (JacksonException e) {
            // Not JSON: a proxy's page or plain text; shown as it is.
        }
        text = text.replaceAll("\\s+", " ").strip();
        if (text.isEmpty()) {
            return "(no message)";
        }
        return text.length() > MAX_MESSAGE_LENGTH ? text.substring(0, MAX_MESSAGE_LENGTH) + "…" : text;
    }

    private static String sentence(String text) {
        return text.endsWith(".") || text.endsWith("?") || text.endsWith("!") || text.endsWith("…") ? text : text + ".";
    }

    private String redact(String text) {
        return key.isEmpty() ? text : text.replace(key, "***");
    }

    private static String connectFailure(IOException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnresolvedAddressException) {
                return "unknown host";
            }
            if (cause instanceof HttpConnectTimeoutException) {
                return "no connection within " + CONNECT_TIMEOUT.toSeconds() + " s";
            }
        }
        return "connection refused";
    }

    private static String describe(Exception e) {
        Throwable cause = e;
        while (cause.getMessage() == null && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage() != null
                ? cause.getMessage()
                : cause.getClass().getSimpleName();
    }
}
