package dev.sluice.api.web;

import org.springframework.http.HttpStatus;

/**
 * A request Sluice refuses, carrying everything the OpenAI error object needs: the HTTP status,
 * the error {@code type}, the offending {@code param} (e.g. {@code requests[3].body.model}) and a
 * machine-readable {@code code}. Thrown anywhere while handling a request; {@link ApiExceptionHandler}
 * turns it into the response.
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final String param;
    private final String code;
    private final QuotaUse quota;

    public ApiException(HttpStatus status, String type, String param, String code, String message) {
        this(status, type, param, code, message, null);
    }

    private ApiException(HttpStatus status, String type, String param, String code, String message, QuotaUse quota) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.quota = quota;
    }

    /**
     * The quota a refused request would have exceeded, for the error object's {@code quota}, {@code limit},
     * {@code used} and {@code requested}.
     *
     * @param quota     its name, e.g. {@code queued_jobs}
     * @param limit     the tenant's limit
     * @param used      what the tenant holds now, without the refused request
     * @param requested what the refused request asked for
     */
    public record QuotaUse(String quota, long limit, long used, long requested) {}

    /** 429 {@code quota_exceeded}: the request would take the tenant over {@code use}'s quota; nothing was stored. */
    public static ApiException quotaExceeded(QuotaUse use, String message) {
        return new ApiException(
                HttpStatus.TOO_MANY_REQUESTS, "invalid_request_error", null, "quota_exceeded", message, use);
    }

    /** 410: the object exists but the content asked for was removed by the retention period. */
    public static ApiException gone(String code, String message) {
        return new ApiException(HttpStatus.GONE, "invalid_request_error", null, code, message);
    }

    /** 400: the input is wrong; {@code param} names where. */
    public static ApiException invalid(String param, String code, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request_error", param, code, message);
    }

    /** 404: no such object, or another tenant's (which must look the same). */
    public static ApiException notFound(String what, String id) {
        return new ApiException(
                HttpStatus.NOT_FOUND,
                "invalid_request_error",
                "id",
                "not_found",
                "No " + what + " found with id '" + (id.length() > 100 ? id.substring(0, 100) + "..." : id) + "'.");
    }

    /** 409: the object exists but its state does not allow the request; the message names both. */
    public static ApiException conflict(String code, String message) {
        return new ApiException(HttpStatus.CONFLICT, "invalid_request_error", null, code, message);
    }

    /** 401: no usable credentials. */
    public static ApiException unauthorized(String code, String message) {
        return new ApiException(HttpStatus.UNAUTHORIZED, "invalid_request_error", null, code, message);
    }

    /** 403: credentials are valid but do not allow this. */
    public static ApiException forbidden(String code, String message) {
        return new ApiException(HttpStatus.FORBIDDEN, "invalid_request_error", null, code, message);
    }

    /** 413: the body is larger than {@code sluice.input.max-request-size}. */
    public static ApiException tooLarge(long maxBytes) {
        return new ApiException(
                HttpStatus.CONTENT_TOO_LARGE,
                "invalid_request_error",
                null,
                "request_too_large",
                "The request body is larger than the limit of " + maxBytes + " bytes. "
                        + "Split the batch into several smaller ones.");
    }

    public HttpStatus status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    /** The quota exceeded, for a 429 {@code quota_exceeded}; null otherwise. */
    public QuotaUse quota() {
        return quota;
    }
}
