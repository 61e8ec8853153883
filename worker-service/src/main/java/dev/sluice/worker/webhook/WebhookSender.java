package dev.sluice.worker.webhook;

import dev.sluice.common.secret.SecretCipher;
import dev.sluice.common.secret.UnreadableSecretException;
import dev.sluice.common.webhook.WebhookAddressPolicy;
import dev.sluice.common.webhook.WebhookSignature;
import dev.sluice.db.webhook.DueWebhookEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs one signed webhook and says how it went. Redirects are not followed (a 3xx is a failed attempt), the
 * whole attempt is cut off after the timeout, and the connection goes only to addresses the policy allowed
 * ({@link CheckedDnsResolver}). The tenant's secrets are decrypted ({@link SecretCipher}) only to sign. No proxy,
 * cookies or automatic retries: the delivery loop retries.
 */
final class WebhookSender implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);

    private static final String USER_AGENT = "Sluice-Webhooks/1";

    private final WebhookAddressPolicy policy;
    private final Duration timeout;
    private final SecretCipher secrets;
    private final CloseableHttpClient client;

    /**
     * {@code maxConnections}: the most attempts run at once; every one gets a connection at once, whatever hosts
     * the others go to, so no attempt waits for a connection behind another receiver's slow ones.
     */
    WebhookSender(WebhookAddressPolicy policy, Duration timeout, int maxConnections, SecretCipher secrets) {
        this.policy = policy;
        this.timeout = timeout;
        this.secrets = secrets;
        Timeout limit = Timeout.of(timeout);
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(new CheckedDnsResolver(policy))
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(limit)
                                .setSocketTimeout(limit)
                                .build())
                        .setMaxConnTotal(maxConnections)
                        .setMaxConnPerRoute(maxConnections)
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(limit)
                        .setResponseTimeout(limit)
                        .build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .setUserAgent(USER_AGENT)
                .build();
    }

    /** Sends {@code event} signed at {@code timestamp} (unix seconds) with each of its tenant's secrets. */
    SendResult send(DueWebhookEvent event, long timestamp) {
        Optional<String> refusal = policy.refusalOfUrl(event.url());
        if (refusal.isPresent()) {
            return new SendResult.Refused(refusal.get());
        }
        HttpPost post;
        try {
            post = new HttpPost(event.url());
        } catch (IllegalArgumentException e) {
            return new SendResult.Refused("not a valid URL");
        }
        List<String> signingSecrets;
        try {
            signingSecrets = openSecrets(event);
        } catch (UnreadableSecretException e) {
            return new SendResult.Unsigned(e.getMessage());
        }
        post.setHeader("webhook-id", event.id());
        post.setHeader("webhook-timestamp", Long.toString(timestamp));
        post.setHeader(
                "webhook-signature", WebhookSignature.header(signingSecrets, event.id(), timestamp, event.payload()));
        post.setEntity(new StringEntity(event.payload(), ContentType.APPLICATION_JSON));
        // The timeouts above bound each wait; this bounds the whole attempt, however slowly the receiver trickles.
        CompletableFuture<Void> deadline = CompletableFuture.runAsync(
                post::cancel, CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS));
        try {
            int status = client.execute(post, response -> {
                EntityUtils.consume(response.getEntity());
                return response.getCode();
            });
            if (status >= 200 && status < 300) {
                return new SendResult.Delivered(status);
            }
            return status == 410 ? new SendResult.Gone(status) : new SendResult.Rejected(status);
        } catch (CheckedDnsResolver.RefusedAddressException e) {
            return new SendResult.Refused(e.getMessage());
        } catch (IOException | RuntimeException e) {
            return new SendResult.Unreachable(
                    post.isCancelled()
                            ? "no answer within " + timeout.toSeconds() + " s"
                            : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } finally {
            deadline.cancel(false);
        }
    }

    /**
     * The event's secrets as stored, decrypted. The current one must open; a previous one that does not (it was
     * encrypted under a key since replaced) is left out rather than holding up the delivery.
     */
    private List<String> openSecrets(DueWebhookEvent event) {
        List<String> stored = event.secrets();
        List<String> opened = new ArrayList<>(stored.size());
        opened.add(secrets.open(event.tenantId(), stored.getFirst()));
        for (String previous : stored.subList(1, stored.size())) {
            try {
                opened.add(secrets.open(event.tenantId(), previous));
            } catch (UnreadableSecretException e) {
                log.warn("Webhook {} is signed with the current secret only: {}", event.id(), e.getMessage());
            }
        }
        return opened;
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
