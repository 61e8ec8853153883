package dev.sluice.api.facade;

import dev.sluice.api.model.ModelRegistry;
import dev.sluice.api.quota.Quota;
import dev.sluice.api.quota.QuotaLeases;
import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.JsonBodies;
import dev.sluice.common.Endpoint;
import dev.sluice.db.tenant.Tenant;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.regex.Pattern;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The synchronous OpenAI facade: {@code POST /v1/chat/completions}, {@code /v1/completions} and
 * {@code /v1/embeddings} behave like the provider's, but each call waits its turn in the model's queue
 * instead of getting a 429. Headers: {@code X-Sluice-Max-Wait} (milliseconds, at most
 * {@code sluice.facade.max-wait}), {@code X-Sluice-Cancel-If-Queued: true} (on giving up, cancel the
 * job if it has not started) and {@code Cache-Control: no-cache} (skip the response cache, see
 * {@link FacadeCache}). Every answer names its job in {@code x-sluice-job-id}.
 */
@RestController
@Tag(
        name = "OpenAI facade",
        description = "Synchronous OpenAI calls that wait their turn in the queue instead of getting a 429")
class FacadeController {

    static final String MAX_WAIT_HEADER = "X-Sluice-Max-Wait";
    static final String CANCEL_HEADER = "X-Sluice-Cancel-If-Queued";
    private static final Pattern NO_CACHE = Pattern.compile("\\b(no-cache|no-store)\\b", Pattern.CASE_INSENSITIVE);

    private final FacadeService facade;
    private final FacadeCache cache;
    private final ModelRegistry models;
    private final QuotaLeases leases;

    FacadeController(FacadeService facade, FacadeCache cache, ModelRegistry models, QuotaLeases leases) {
        this.facade = facade;
        this.cache = cache;
        this.models = models;
        this.leases = leases;
    }

    @FacadeOperation(summary = "Create a chat completion")
    @RequestBody(
            required = true,
            content = @Content(schema = @Schema(implementation = FacadeSchemas.ChatCompletionRequest.class)))
    @ApiResponse(
            responseCode = "200",
            description = "The provider's answer; with `stream: true`, its chunks as SSE",
            content = {
                @Content(schema = @Schema(implementation = FacadeSchemas.ChatCompletion.class)),
                @Content(mediaType = "text/event-stream", schema = @Schema(type = "string"))
            })
    @PostMapping("/v1/chat/completions")
    ResponseEntity<String> chat(Tenant tenant, HttpServletRequest request, HttpServletResponse response) {
        return call(tenant, Endpoint.CHAT_COMPLETIONS, request, response);
    }

    @FacadeOperation(summary = "Create a completion")
    @RequestBody(
            required = true,
            content = @Content(schema = @Schema(implementation = FacadeSchemas.CompletionRequest.class)))
    @ApiResponse(
            responseCode = "200",
            description = "The provider's answer; with `stream: true`, its chunks as SSE",
            content = {
                @Content(schema = @Schema(implementation = FacadeSchemas.Completion.class)),
                @Content(mediaType = "text/event-stream", schema = @Schema(type = "string"))
            })
    @PostMapping("/v1/completions")
    ResponseEntity<String> completions(Tenant tenant, HttpServletRequest request, HttpServletResponse response) {
        return call(tenant, Endpoint.COMPLETIONS, request, response);
    }

    @FacadeOperation(summary = "Create embeddings")
    @RequestBody(
            required = true,
            content = @Content(schema = @Schema(implementation = FacadeSchemas.EmbeddingRequest.class)))
    @ApiResponse(
            responseCode = "200",
            description = "The provider's answer",
            content = @Content(schema = @Schema(implementation = FacadeSchemas.EmbeddingList.class)))
    @PostMapping("/v1/embeddings")
    ResponseEntity<String> embeddings(Tenant tenant, HttpServletRequest request, HttpServletResponse response) {
        return call(tenant, Endpoint.EMBEDDINGS, request, response);
    }

    private ResponseEntity<String> call(
            Tenant tenant, Endpoint endpoint, HttpServletRequest request, HttpServletResponse response) {
        Duration wait = maxWait(request.getHeader(MAX_WAIT_HEADER));
        boolean cancel = "true".equalsIgnoreCase(request.getHeader(CANCEL_HEADER));
        boolean bypass = noCache(request.getHeader("Cache-Control"));
        FacadeCall call = FacadeCall.read(endpoint, JsonBodies.read(request));
        // Before the cache: an unknown model must not even reach a cache metric's tag.
        models.require(call.model(), "model", "");
        SseRelay relay = call.stream() ? new SseRelay(response, call) : null;
        // Counted against the tenant's waiting-facade-calls quota until answered, on every replica (429 when full): its
        // place is taken with its job, or alone by a call that waits for an identical call's job; an answer from the
        // cache waits for nothing and takes none.
        try (QuotaLeases.Lease lease = leases.lease(tenant.id(), Quota.WAITING_FACADE_CALLS)) {
            ResponseEntity<String> answer = cache.answer(
                    tenant,
                    call,
                    bypass,
                    wait,
                    lease,
                    (jobId, left) -> facade.run(tenant, jobId, call, left, cancel, relay, lease));
            // A relayed stream has already been written and closed; nothing more goes out.
            return relay != null && relay.started() ? null : answer;
        } catch (ApiException e) {
            if (relay != null && relay.started()) {
                relay.error(e);
                return null;
            }
            throw e;
        }
    }

    private static boolean noCache(String cacheControl) {
        return cacheControl != null && NO_CACHE.matcher(cacheControl).find();
    }

    private Duration maxWait(String header) {
        if (header == null || header.isBlank()) {
            return facade.maxWait();
        }
        long millis;
        try {
            millis = Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            millis = -1;
        }
        if (millis <= 0) {
            throw ApiException.invalid(
                    MAX_WAIT_HEADER,
                    "invalid_max_wait",
                    MAX_WAIT_HEADER + " must be a positive number of milliseconds, got '"
                            + (header.length() > 40 ? header.substring(0, 40) + "..." : header) + "'.");
        }
        Duration asked = Duration.ofMillis(millis);
        return asked.compareTo(facade.maxWait()) < 0 ? asked : facade.maxWait();
    }
}
