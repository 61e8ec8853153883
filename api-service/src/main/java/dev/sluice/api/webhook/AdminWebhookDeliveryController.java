package dev.sluice.api.webhook;

import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.ListPage;
import dev.sluice.api.web.PageQuery;
import dev.sluice.db.webhook.WebhookDelivery;
import dev.sluice.db.webhook.WebhookDeliveryEntityRepository;
import dev.sluice.db.webhook.WebhookEventRepository;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The operator's view of webhook attempts: {@code GET /admin/webhook-deliveries?status=&subject_id=&tenant=&limit=}
 * (every tenant's, newest first) and {@code POST /admin/webhook-deliveries/{id}/redeliver}, which resends the
 * attempt's event as the tenant's own redeliver does (202; 409 {@code webhook_delivery_pending} while pending).
 */
@Tag(name = "Admin")
@RestController
class AdminWebhookDeliveryController {

    private static final Set<String> STATUSES = Set.of("delivered", "failed", "refused");

    private final WebhookDeliveryEntityRepository deliveries;
    private final WebhookEventRepository events;
    private final Clock clock;

    AdminWebhookDeliveryController(
            WebhookDeliveryEntityRepository deliveries, WebhookEventRepository events, Clock clock) {
        this.deliveries = deliveries;
        this.events = events;
        this.clock = clock;
    }

    /**
     * One attempt with whose it is.
     *
     * @param object    always {@code admin.webhook_delivery}
     * @param tenantId  the tenant whose endpoint it went to
     * @param subjectId the batch or job the event is about
     * @param delivery  the attempt as the tenant sees it
     */
    record AdminDelivery(String object, String tenantId, String subjectId, WebhookDeliveryView delivery) {

        static AdminDelivery of(WebhookDelivery delivery) {
            return new AdminDelivery(
                    "admin.webhook_delivery",
                    delivery.tenantId(),
                    delivery.subjectId(),
                    WebhookDeliveryView.of(delivery));
        }
    }

    @Operation(summary = "Every tenant's webhook delivery attempts, newest first")
    @GetMapping("/admin/webhook-deliveries")
    ListPage<AdminDelivery> list(
            @RequestParam(required = false) String status,
            @RequestParam(name = "subject_id", required = false) String subjectId,
            @RequestParam(required = false) String tenant,
            @RequestParam(required = false) String limit) {
        String wanted = blankToNull(status);
        if (wanted != null && !STATUSES.contains(wanted)) {
            throw ApiException.invalid("status", "invalid_status", "status must be delivered, failed or refused.");
        }
        int max = PageQuery.parse(null, limit).limit();
        return ListPage.all(
                deliveries
                        .recent(
                                wanted,
                                PageQuery.optionalId(subjectId, "subject_id"),
                                PageQuery.optionalId(tenant, "tenant"),
                                max)
                        .stream()
                        .map(AdminDelivery::of)
                        .toList(),
                row -> row.delivery().id());
    }

    @Operation(summary = "Send the event of a delivery attempt again")
    @PostMapping("/admin/webhook-deliveries/{id}/redeliver")
    @ResponseStatus(HttpStatus.ACCEPTED)
    AdminDelivery redeliver(@PathVariable String id) {
        if (!PageQuery.plausibleId(id)) {
            throw ApiException.notFound("webhook delivery", id);
        }
        WebhookDelivery delivery = deliveries.find(id).orElseThrow(() -> ApiException.notFound("webhook delivery", id));
        WebhookDeliveryController.resend(events, delivery, clock);
        return AdminDelivery.of(delivery);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
