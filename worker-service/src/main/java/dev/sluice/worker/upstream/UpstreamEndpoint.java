package dev.sluice.worker.upstream;

import dev.sluice.worker.WorkerProperties;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.LongConsumer;

/**
 * The provider as both kinds of call see it: a JDK client (HTTP/1.1, no redirects, the connect timeout),
 * the base URL, the read timeout and the response size cap, and how one POST to it is built.
 */
final class UpstreamEndpoint {

    final HttpClient http;
    final Duration readTimeout;
    final long maxResponseBytes;
    private final String baseUrl;

    UpstreamEndpoint(WorkerProperties properties) {
        WorkerProperties.Upstream upstream = properties.upstream();
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(upstream.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.baseUrl = upstream.baseUrlText();
        this.readTimeout = upstream.readTimeout();
        this.maxResponseBytes = upstream.maxResponseSize().toBytes();
    }

    /**
     * {@code POST base-url + path} with the provider key, a JSON {@code body} and the given {@code Accept};
     * {@code onSent} gets the time the body's last bytes were handed to the connection.
     */
    HttpRequest post(String apiKey, String path, String body, String accept, LongConsumer onSent) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(readTimeout)
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json")
                .header("Accept", accept)
                .POST(new SendTimeRecorder(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8), onSent))
                .build();
    }

    /** The time since {@code startedNanos} (a {@link System#nanoTime()}). */
    static Duration since(long startedNanos) {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }
}
