package dev.sluice.api.webhook;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.quota.Quota;
import dev.sluice.api.quota.QuotaLeases;
import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.ErrorResponse;
import dev.sluice.api.web.PageQuery;
import dev.sluice.db.batch.BatchRepository;
import dev.sluice.db.tenant.Tenant;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /v1/batches/{id}/events}: the batch's progress as Server-Sent Events, so clients stop polling.
 * {@code event: progress} whenever the status or counts change (the first at once), then, once the batch is
 * settled, one {@code event: batch.completed} (or {@code .failed}, {@code .expired}, {@code .cancelled}) with the
 * final counts, and the stream ends. Any api replica serves it: the streams of one batch share one reader
 * ({@link BatchFeeds}), which reads it from PostgreSQL every poll interval; each stream writes on the request's own
 * virtual thread, so a slow client holds up only itself.
 */
@RestController
@Tag(name = "Batches")
class BatchEventsController {

    private final BatchRepository batches;
    private final BatchFeeds feeds;
    private final JsonMapper json;
    private final Duration keepAlive;
    private final QuotaLeases leases;

    /** {@code json} is the application's mapper, so events are spelled like every other response. */
    BatchEventsController(
            BatchRepository batches, BatchFeeds feeds, JsonMapper json, ApiProperties properties, QuotaLeases leases) {
        this.leases = leases;
        this.batches = batches;
        this.feeds = feeds;
        this.json = json;
        this.keepAlive = properties.events().keepAlive();
    }

    @Operation(summary = "Follow a batch's progress as Server-Sent Events")
    @ApiResponse(
            responseCode = "200",
            description = "`event: progress` frames (data: a BatchProgress), then one "
                    + "`event: batch.<status>` and the end",
            content = @Content(mediaType = "text/event-stream", schema = @Schema(implementation = BatchProgress.class)))
    @ErrorResponse(status = 429, description = "The tenant's event_streams quota is full")
    @GetMapping("/v1/batches/{id}/events")
    void events(Tenant tenant, @PathVariable String id, HttpServletResponse response) throws IOException {
        if (!PageQuery.plausibleId(id) || batches.find(tenant.id(), id).isEmpty()) {
            throw ApiException.notFound("batch", id);
        }
        // Counted against the tenant's event-streams quota while open, on every replica (429 when full).
        try (QuotaLeases.Lease lease = leases.acquire(tenant.id(), Quota.EVENT_STREAMS)) {
            open(tenant, id, response);
        }
    }

    private void open(Tenant tenant, String id, HttpServletResponse response) throws IOException {
        response.setContentType("text/event-stream");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setHeader("Cache-Control", "no-cache");
        // Tells nginx-style proxies not to buffer the stream.
        response.setHeader("X-Accel-Buffering", "no");
        OutputStream out = response.getOutputStream();
        try (BatchSubscription subscription = feeds.join(tenant.id(), id)) {
            stream(subscription, out);
        } catch (IOException e) {
            // The client went away; there is nobody left to answer.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stream(BatchSubscription subscription, OutputStream out) throws IOException, InterruptedException {
        while (true) {
            BatchEvent event = subscription.next(keepAlive);
            if (event == null) {
                // A comment line: ignored by clients, but it keeps proxies from closing an idle stream and shows
                // whether the client is still there.
                out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                continue;
            }
            if (event.progress() != null) {
                write(out, event.name(), event.progress());
            }
            if (event.last()) {
                return;
            }
        }
    }

    private void write(OutputStream out, String event, BatchProgress progress) throws IOException {
        String frame = "event: " + event + "\ndata: " + json.writeValueAsString(progress) + "\n\n";
        out.write(frame.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
