package dev.sluice.api.facade;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.regex.Pattern;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Lets {@code %2F} through in {@code /v1/models/{id}} only: model ids contain a slash, and the OpenAI SDKs send
 * {@code GET /v1/models/openai%2Fgpt-4o-mini}, which Tomcat refuses by default. Tomcat is told to pass encoded
 * slashes through, and this filter keeps refusing them (400 in OpenAI form, as Tomcat did) on every other path.
 * {@link ModelController} decodes the id itself.
 */
@Component
class EncodedSlashes extends OncePerRequestFilter implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    private static final Pattern ENCODED_SLASH = Pattern.compile("%2f", Pattern.CASE_INSENSITIVE);
    private static final String MODELS = "/v1/models/";

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addConnectorCustomizers(connector -> connector.setEncodedSolidusHandling("passthrough"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String uri = request.getRequestURI();
        if (ENCODED_SLASH.matcher(uri).find() && !uri.startsWith(MODELS)) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST);
            return;
        }
        chain.doFilter(request, response);
    }
}
