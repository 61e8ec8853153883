package dev.sluice.api.webhook;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.web.ApiException;
import dev.sluice.common.webhook.WebhookAddressPolicy;
import org.springframework.stereotype.Component;

/**
 * Refuses, at submission, a {@code webhook_url} whose host is an IP address the webhook policy does not allow
 * (in any spelling: {@code 127.0.0.1}, {@code [::1]}, {@code 2130706433}, ...). A host name is checked by the
 * worker when it delivers, against the addresses the name then resolves to.
 */
@Component
public class WebhookUrls {

    private final WebhookAddressPolicy policy;

    WebhookUrls(ApiProperties properties) {
        this.policy = WebhookAddressPolicy.of(properties.webhook().allowPrivate());
    }

    /** Throws a 400 {@code invalid_webhook_url} naming {@code param} when {@code url} (if any) is refused. */
    public void check(String url, String param) {
        if (url == null) {
            return;
        }
        policy.refusalOfUrl(url).ifPresent(reason -> {
            throw ApiException.invalid(
                    param,
                    "invalid_webhook_url",
                    "'" + param + "' is not allowed: " + reason
                            + ". Webhooks go to public addresses only (SLUICE_WEBHOOK_ALLOW_PRIVATE lifts this).");
        });
    }
}
