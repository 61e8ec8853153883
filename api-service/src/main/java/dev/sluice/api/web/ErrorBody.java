package dev.sluice.api.web;

import jakarta.annotation.Nullable;

/**
 * OpenAI's error object, the body of every non-2xx response:
 * {@code {"error": {"message", "type", "param", "code"}}}.
 *
 * @param error the details
 */
record ErrorBody(Detail error) {

    /**
     * @param message what went wrong and what to do about it
     * @param type    {@code invalid_request_error}, or {@code server_error} for Sluice's own faults
     * @param param   the offending parameter, e.g. {@code requests[3].body.model}, or null
     * @param code    a stable machine-readable code, or null
     */
    public record Detail(
            String message,
            String type,
            @Nullable String param,
            @Nullable String code) {}

    static ErrorBody of(ApiException e) {
        return new ErrorBody(new Detail(e.getMessage(), e.type(), e.param(), e.code()));
    }
}
