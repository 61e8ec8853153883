package dev.sluice.api.facade;

import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.JsonBodies;
import dev.sluice.common.Endpoint;
import dev.sluice.db.tenant.Tenant;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The synchronous OpenAI facade: {@code POST /v1/chat/completions}, {@code /v1/completions} and
 * {@code /v1/embeddings} behave like the provider's, but each call waits its turn in the model's queue
 * instead of getting a 429. Headers: {@code X-Sluice-Max-Wait} (milliseconds, at most
 * {@code sluice.facade.max-wait}) and {@code X-Sluice-Cancel-If-Queued: true} (on giving up, cancel the
 * job if it has not started). Every answer names its job in {@code x-sluice-job-id}.
 */
@RestController
class FacadeController {

    static final String MAX_WAIT_HEADER = "X-Sluice-Max-Wait";
    static final String CANCEL_HEADER = "X-Sluice-Cancel-If-Queued";

    private final FacadeService facade;

    FacadeController(FacadeService facade) {
        this.facade = facade;
    }

    @PostMapping("/v1/chat/completions")
    ResponseEntity<String> chat(Tenant tenant, HttpServletRequest request) {
        return call(tenant, Endpoint.CHAT_COMPLETIONS, request);
    }

    @PostMapping("/v1/completions")
    ResponseEntity<String> completions(Tenant tenant, HttpServletRequest request) {
        return call(tenant, Endpoint.COMPLETIONS, request);
    }

    @PostMapping("/v1/embeddings")
    ResponseEntity<String> embeddings(Tenant tenant, HttpServletRequest request) {
        return call(tenant, Endpoint.EMBEDDINGS, request);
    }

    private ResponseEntity<String> call(Tenant tenant, Endpoint endpoint, HttpServletRequest request) {
        Duration wait = maxWait(request.getHeader(MAX_WAIT_HEADER));
        boolean cancel = "true".equalsIgnoreCase(request.getHeader(CANCEL_HEADER));
        FacadeCall call = FacadeCall.read(endpoint, JsonBodies.read(request));
        return FacadeResponses.of(facade.run(tenant, call, wait, cancel), call);
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
            throw ApiException.invalid(MAX_WAIT_HEADER, "invalid_max_wait",
                    MAX_WAIT_HEADER + " must be a positive number of milliseconds, got '"
                            + (header.length() > 40 ? header.substring(0, 40) + "..." : header) + "'.");
        }
        Duration asked = Duration.ofMillis(millis);
        return asked.compareTo(facade.maxWait()) < 0 ? asked : facade.maxWait();
    }
}
