package dev.sluice.api.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Replaces Spring Boot's whitelabel error page: whatever reaches the servlet container's error
 * path (an exception thrown in a filter, a {@code sendError} from the container) is still answered
 * in OpenAI's error form, without a stack trace or exception class.
 */
@RestController
class ApiErrorController implements ErrorController {

    @RequestMapping("${server.error.path:/error}")
    ResponseEntity<ErrorBody> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        if (code == null) {
            // Someone asked for /error itself: there is no error to report and no such resource.
            return ResponseEntity.status(HttpStatus.NOT_FOUND)
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(ErrorBody.of(new ApiException(
                            HttpStatus.NOT_FOUND,
                            "invalid_request_error",
                            null,
                            "unknown_url",
                            "Invalid URL (" + request.getMethod() + " " + request.getRequestURI() + ").")));
        }
        HttpStatus status = code instanceof Integer value && HttpStatus.resolve(value) != null
                ? HttpStatus.resolve(value)
                : HttpStatus.INTERNAL_SERVER_ERROR;
        Object exception = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        ApiException error = exception instanceof ApiException api
                ? api
                : new ApiException(
                        status,
                        status.is5xxServerError() ? "server_error" : "invalid_request_error",
                        null,
                        status.is5xxServerError() ? "internal_error" : "invalid_request",
                        status.is5xxServerError()
                                ? "Sluice failed to handle the request."
                                : status.getReasonPhrase() + ".");
        return ResponseEntity.status(error.status())
                .contentType(MediaType.APPLICATION_JSON)
                .body(ErrorBody.of(error));
    }
}
