package dev.sluice.api.web;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.http.HttpStatus;

/**
 * Tomcat's last-resort error page in OpenAI's JSON form instead of HTML. It only speaks for
 * requests Tomcat refuses before Spring sees them (an undecodable URL such as {@code /v1/batches/%zz},
 * an encoded NUL or slash); everything else is answered by {@link ApiExceptionHandler}.
 */
class JsonErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        HttpStatus resolved = HttpStatus.resolve(status);
        String message = status >= 500
                ? "Sluice failed to handle the request."
                : "The request was refused before it reached Sluice ("
                        + (resolved == null ? status : resolved.getReasonPhrase())
                        + "): check the URL's encoding and the size of the headers.";
        String type = status >= 500 ? "server_error" : "invalid_request_error";
        String code = status >= 500 ? "internal_error" : "invalid_request";
        try {
            response.setContentType("application/json");
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write("{\"error\":{\"message\":\"" + message + "\",\"type\":\"" + type
                        + "\",\"param\":null,\"code\":\"" + code + "\"}}");
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // The client is gone or the response already committed; nothing more can be said.
        }
    }
}
