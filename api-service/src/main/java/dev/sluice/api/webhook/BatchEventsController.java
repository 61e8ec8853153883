package dev.sluice.api.webhook;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.PageQuery;
import dev.sluice.db.batch.BatchRepository;
import dev.sluice.db.batch.BatchRow;
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
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /v1/batches/{id}/events}: the batch's progress as Server-Sent Events, so clients stop polling.
 * {@code event: progress} whenever the status or counts change (the first at once), then, once the batch is
 * settled, one {@code event: batch.completed} (or {@code .failed}, {@code .expired}, {@code .cancelled}) with the
 * final counts, and the stream ends. Any api replica serves it: each stream reads its batch from PostgreSQL every
 * poll interval, on the request's own virtual thread, which idles cheaply in between.
 */
@RestController
@Tag(name = "Batches")
class BatchEventsController {

    private final BatchRepository batches;
    private final JsonMapper json;
    private final InstantSource clock;
    private final Duration pollInterval;
    private final Duration keepAlive;
    private volatile boolean closing;

    /** {@code json} is the application's mapper, so events are spelled like every other response. */
    BatchEventsController(BatchRepository batches, JsonMapper json, InstantSource clock, ApiProperties properties) {
        this.batches = batches;
        this.json = json;
        this.clock = clock;
        this.pollInterval = properties.events().pollInterval();
        this.keepAlive = properties.events().keepAlive();
    }

    /**
     * Ends every open stream at its next poll once the service starts shutting down (this event comes before the
     * web server's graceful shutdown waits for open requests); clients reconnect, to another replica.
     */
    @EventListener(ContextClosedEvent.class)
    void closing() {
        closing = true;
    }

    @Operation(summary = "Follow a batch's progress as Server-Sent Events")
    @ApiResponse(responseCode = "200", description = "`event: progress` frames (data: a BatchProgress), then one "
            + "`event: batch.<status>` and the end", content = @Content(mediaType = "text/event-stream",
                    schema = @Schema(implementation = BatchProgress.class)))
    @GetMapping("/v1/batches/{id}/events")
    void events(Tenant tenant, @PathVariable String id, HttpServletResponse response) throws IOException {
        if (!PageQuery.plausibleId(id) || batches.find(tenant.id(), id).isEmpty()) {
            throw ApiException.notFound("batch", id);
        }
        response.setContentType("text/event-stream");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setHeader("Cache-Control", "no-cache");
        // Tells nginx-style proxies not to buffer the stream.
        response.setHeader("X-Accel-Buffering", "no");
        OutputStream out = response.getOutputStream();
        try {
            stream(tenant, id, out);
        } catch (IOException e) {
            // The client went away; there is nobody left to answer.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stream(Tenant tenant, String id, OutputStream out) throws IOException, InterruptedException {
        BatchProgress last = null;
        Instant lastWrite = clock.instant();
        while (!closing) {
            Optional<BatchRow> found = batches.find(tenant.id(), id);
            if (found.isEmpty()) {
                return;
            }
            BatchRow row = found.get();
            boolean settled = BatchProgress.settled(row);
            BatchProgress progress = BatchProgress.of(row, settled ? null : batches.liveCounts(id));
            if (settled) {
                write(out, "batch." + row.status().wire(), progress);
                return;
            }
            if (!progress.equals(last)) {
                write(out, "progress", progress);
                last = progress;
                lastWrite = clock.instant();
            } else if (!clock.instant().isBefore(lastWrite.plus(keepAlive))) {
                // A comment line: ignored by clients, but it keeps proxies from closing an idle stream and shows
                // whether the client is still there.
                out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                lastWrite = clock.instant();
            }
            Thread.sleep(pollInterval);
        }
    }

    private void write(OutputStream out, String event, BatchProgress progress) throws IOException {
        String frame = "event: " + event + "\ndata: " + json.writeValueAsString(progress) + "\n\n";
        out.write(frame.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
