package dev.sluice.api.webhook;

import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.ErrorResponse;
import dev.sluice.api.web.ListPage;
import dev.sluice.api.web.PageQuery;
import dev.sluice.db.batch.BatchRepository;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.tenant.Tenant;
import dev.sluice.db.webhook.WebhookDelivery;
import dev.sluice.db.webhook.WebhookDeliveryEntityRepository;
import dev.sluice.db.webhook.WebhookEventRepository;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The webhook attempts for a batch or single job ({@code GET /v1/batches/{id}/webhook_deliveries},
 * {@code GET /v1/jobs/{id}/webhook_deliveries}), and resending its event
 * ({@code POST .../webhook_deliveries/{delivery_id}/redeliver}: 202, the event is due at once with the whole retry
 * schedule ahead of it, under the same {@code webhook-id}). Another tenant's batch or job is a 404.
 */
@RestController
@Tag(name = "Webhooks", description = "Webhook delivery attempts and redelivery")
class WebhookDeliveryController {

    private final BatchRepository batches;
    private final JobRepository jobs;
    private final WebhookDeliveryEntityRepository deliveries;
    private final WebhookEventRepository events;
    private final Clock clock;

    WebhookDeliveryController(
            BatchRepository batches,
            JobRepository jobs,
            WebhookDeliveryEntityRepository deliveries,
            WebhookEventRepository events,
            Clock clock) {
        this.batches = batches;
        this.jobs = jobs;
        this.deliveries = deliveries;
        this.events = events;
        this.clock = clock;
    }

    @Operation(summary = "List a batch's webhook delivery attempts")
    @GetMapping("/v1/batches/{id}/webhook_deliveries")
    ListPage<WebhookDeliveryView> ofBatch(Tenant tenant, @PathVariable String id) {
        return list(tenant, batch(tenant, id));
    }

    @Operation(summary = "List a single job's webhook delivery attempts")
    @GetMapping("/v1/jobs/{id}/webhook_deliveries")
    ListPage<WebhookDeliveryView> ofJob(Tenant tenant, @PathVariable String id) {
        return list(tenant, job(tenant, id));
    }

    @Operation(summary = "Send a batch's webhook event again")
    @ErrorResponse(status = 409, description = "The event is still being delivered")
    @PostMapping("/v1/batches/{id}/webhook_deliveries/{deliveryId}/redeliver")
    @ResponseStatus(HttpStatus.ACCEPTED)
    WebhookDeliveryView redeliverOfBatch(Tenant tenant, @PathVariable String id, @PathVariable String deliveryId) {
        return redeliver(tenant, batch(tenant, id), deliveryId);
    }

    @Operation(summary = "Send a single job's webhook event again")
    @ErrorResponse(status = 409, description = "The event is still being delivered")
    @PostMapping("/v1/jobs/{id}/webhook_deliveries/{deliveryId}/redeliver")
    @ResponseStatus(HttpStatus.ACCEPTED)
    WebhookDeliveryView redeliverOfJob(Tenant tenant, @PathVariable String id, @PathVariable String deliveryId) {
        return redeliver(tenant, job(tenant, id), deliveryId);
    }

    private ListPage<WebhookDeliveryView> list(Tenant tenant, String subjectId) {
        return ListPage.all(
                deliveries.listForSubject(tenant.id(), subjectId).stream()
                        .map(WebhookDeliveryView::of)
                        .toList(),
                WebhookDeliveryView::id);
    }

    /** Answers with the attempt named; the new attempt shows in the list once the worker has made it. */
    private WebhookDeliveryView redeliver(Tenant tenant, String subjectId, String deliveryId) {
        if (!PageQuery.plausibleId(deliveryId)) {
            throw ApiException.notFound("webhook delivery", deliveryId);
        }
        WebhookDelivery delivery = deliveries
                .find(tenant.id(), subjectId, deliveryId)
                .orElseThrow(() -> ApiException.notFound("webhook delivery", deliveryId));
        return resend(events, delivery, clock);
    }

    /** Makes the attempt's event due again (for its tenant or the operator); 409 while it is still pending. */
    static WebhookDeliveryView resend(WebhookEventRepository events, WebhookDelivery delivery, Clock clock) {
        if (!events.redeliver(delivery.tenantId(), delivery.eventId(), clock.instant())) {
            throw ApiException.conflict(
                    "webhook_delivery_pending",
                    "event " + delivery.eventId()
                            + " is still being delivered or awaits its next retry; redeliver it once it is delivered or failed.");
        }
        return WebhookDeliveryView.of(delivery);
    }

    private String batch(Tenant tenant, String id) {
        if (!PageQuery.plausibleId(id) || batches.find(tenant.id(), id).isEmpty()) {
            throw ApiException.notFound("batch", id);
        }
        return id;
    }

    private String job(Tenant tenant, String id) {
        if (!PageQuery.plausibleId(id) || jobs.find(tenant.id(), id).isEmpty()) {
            throw ApiException.notFound("job", id);
        }
        return id;
    }
}
