package dev.sluice.api.facade;

import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * Lets {@code %2F} through in paths: model ids contain a slash, and the OpenAI SDKs send
 * {@code GET /v1/models/openai%2Fgpt-4o-mini}, which Tomcat refuses with a 400 by default.
 * {@link ModelController} decodes the id itself; no other route has an id that may contain a slash.
 */
@Component
class EncodedSlashes implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addConnectorCustomizers(connector -> connector.setEncodedSolidusHandling("passthrough"));
    }
}
