package dev.sluice.worker.alert;

import dev.sluice.worker.WorkerProperties;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * POSTs {@code {"text": "...", "mrkdwn": false}} to {@code sluice.alerts.webhook-url}: the body Slack's incoming
 * webhooks take, and that Mattermost, Rocket.Chat and most chat tools accept too. The text is plain: markup is
 * turned off, and what a tenant chose in it is escaped by the message's author ({@link ChatText}). The URL is never logged (Slack's carry
 * their secret in the path).
 */
@Component
class AlertWebhook {

    private static final Logger log = LoggerFactory.getLogger(AlertWebhook.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI url;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    AlertWebhook(WorkerProperties properties) {
        this.url = properties.alerts().webhookUrl();
    }

    /** Whether the receiver took the message (any 2xx); a failure is logged and the caller tries again later. */
    boolean send(String text) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(text), StandardCharsets.UTF_8))
                .build();
        try {
            int status =
                    http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status / 100 == 2) {
                return true;
            }
            log.warn("The alert webhook answered HTTP {}; the alert is sent again at the next evaluation", status);
        } catch (IOException e) {
            log.warn(
                    "The alert webhook could not be reached ({}); the alert is sent again at the next evaluation",
                    e.getClass().getSimpleName());
        }
        return false;
    }

    /** The JSON body carrying {@code text}, with Slack's markup off. */
    static String body(String text) {
        return JSON.writeValueAsString(Map.of("text", text, "mrkdwn", false));
    }
}
