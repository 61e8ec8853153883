package dev.sluice.api.web;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import org.springframework.web.util.DisconnectedClientHelper;

/**
 * The one place where exceptions become responses, all in OpenAI's error form. Spring MVC's own
 * exceptions (unknown route, wrong method, wrong content type, unreadable body, bad query value)
 * keep the status Spring gives them; anything unexpected is a logged 500 that reveals nothing.
 */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<Object> apiException(ApiException e) {
        return respond(e, HttpHeaders.EMPTY);
    }

    /** The database or broker is unreachable: a retry later may work, so say so rather than 500. */
    @ExceptionHandler({DataAccessResourceFailureException.class, TransientDataAccessException.class})
    ResponseEntity<Object> unavailable(RuntimeException e) {
        log.warn("Request failed because a backing service is unavailable: {}", e.getMessage());
        return respond(
                new ApiException(
                        HttpStatus.SERVICE_UNAVAILABLE,
                        "server_error",
                        null,
                        "service_unavailable",
                        "Sluice cannot reach its database right now. Retry in a few seconds."),
                HttpHeaders.EMPTY);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e) {
        if (DisconnectedClientHelper.isClientDisconnectedException(e)) {
            // The client left in the middle of a results stream; there is nobody to answer.
            log.debug("Client disconnected: {}", e.toString());
            return null;
        }
        log.error("Unexpected failure while handling a request", e);
        return respond(
                new ApiException(
                        HttpStatus.INTERNAL_SERVER_ERROR,
                        "server_error",
                        null,
                        "internal_error",
                        "Sluice failed to handle the request. Retry it; if it keeps failing, report it."),
                HttpHeaders.EMPTY);
    }

    /** Every Spring MVC exception ends here, with the status Spring chose for it. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(
            Exception e, Object body, HttpHeaders headers, HttpStatusCode statusCode, WebRequest request) {
        return respond(translate(e, statusCode), headers);
    }

    static ApiException translate(Exception e, HttpStatusCode statusCode) {
        HttpStatus status = HttpStatus.resolve(statusCode.value());
        if (status == null) {
            status = HttpStatus.BAD_REQUEST;
        }
        return switch (e) {
            case HttpMessageNotReadableException unreadable
            when BodySizeLimitFilter.causedByLimit(unreadable) -> BodySizeLimitFilter.tooLarge(unreadable);
            case HttpMessageNotReadableException unreadable ->
                ApiException.invalid(
                        null,
                        "invalid_json",
                        "We could not parse the JSON body of your request. Send a valid JSON object.");
            case NoResourceFoundException notFound ->
                new ApiException(
                        HttpStatus.NOT_FOUND,
                        "invalid_request_error",
                        null,
                        "unknown_url",
                        "Invalid URL (" + notFound.getHttpMethod() + " /" + notFound.getResourcePath() + ").");
            case NoHandlerFoundException notFound ->
                new ApiException(
                        HttpStatus.NOT_FOUND,
                        "invalid_request_error",
                        null,
                        "unknown_url",
                        "Invalid URL (" + notFound.getHttpMethod() + " " + notFound.getRequestURL() + ").");
            case MissingServletRequestParameterException missing ->
                ApiException.invalid(
                        missing.getParameterName(),
                        "missing_parameter",
                        "Missing required parameter '" + missing.getParameterName() + "'.");
            case TypeMismatchException mismatch ->
                ApiException.invalid(
                        mismatch.getPropertyName(),
                        "invalid_parameter",
                        "Invalid value for '" + mismatch.getPropertyName() + "'.");
            default ->
                new ApiException(
                        status,
                        status.is5xxServerError() ? "server_error" : "invalid_request_error",
                        null,
                        codeFor(status),
                        messageOf(e));
        };
    }

    private static String codeFor(HttpStatus status) {
        return switch (status) {
            case METHOD_NOT_ALLOWED -> "method_not_allowed";
            case NOT_ACCEPTABLE -> "not_acceptable";
            case UNSUPPORTED_MEDIA_TYPE -> "unsupported_media_type";
            case CONTENT_TOO_LARGE -> "request_too_large";
            case NOT_FOUND -> "not_found";
            case SERVICE_UNAVAILABLE -> "service_unavailable";
            default -> status.is5xxServerError() ? "internal_error" : "invalid_request";
        };
    }

    private static String messageOf(Exception e) {
        if (e instanceof ErrorResponse response && response.getBody().getDetail() != null) {
            return response.getBody().getDetail();
        }
        return "The request could not be handled.";
    }

    private static ResponseEntity<Object> respond(ApiException e, HttpHeaders headers) {
        // The content type is set explicitly so that the error is written as JSON whatever the
        // client's Accept header asked for (e.g. application/x-ndjson on a results stream).
        return ResponseEntity.status(e.status())
                .headers(headers)
                .contentType(MediaType.APPLICATION_JSON)
                .body(ErrorBody.of(e));
    }
}
