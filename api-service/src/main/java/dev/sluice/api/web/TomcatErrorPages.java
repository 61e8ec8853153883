package dev.sluice.api.web;

import org.apache.catalina.Container;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.Pipeline;
import org.apache.catalina.Valve;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * Swaps the host's HTML {@link ErrorReportValve} for {@link JsonErrorReportValve} once Tomcat has
 * built it, so that not even a request refused inside Tomcat gets an HTML page.
 */
@Component
class TomcatErrorPages implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addContextCustomizers(context -> context.addLifecycleListener(event -> {
            if (Lifecycle.AFTER_START_EVENT.equals(event.getType())) {
                replaceErrorValve(context.getParent());
            }
        }));
    }

    private static void replaceErrorValve(Container host) {
        if (host == null) {
            return;
        }
        Pipeline pipeline = host.getPipeline();
        for (Valve valve : pipeline.getValves()) {
            if (valve instanceof ErrorReportValve && !(valve instanceof JsonErrorReportValve)) {
                pipeline.removeValve(valve);
                pipeline.addValve(new JsonErrorReportValve());
            }
        }
    }
}
