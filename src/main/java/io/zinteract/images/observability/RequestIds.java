package io.zinteract.images.observability;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.MDC;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Gives every request an id: the gateway's {@code X-Request-Id} when it sent a sane one, else a new one. It goes back
 * on every response (health and metrics included, since this runs on the router before any endpoint) and into
 * the logging context as {@code requestId}, so one line in a log can be matched to one call.
 */
@ApplicationScoped
public class RequestIds {

    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "requestId";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(context -> {
            String incoming = context.request().getHeader(HEADER);
            String id = incoming != null && SANE.matcher(incoming).matches() ? incoming : UUID.randomUUID().toString();
            context.put(MDC_KEY, id);
            MDC.put(MDC_KEY, id);
            context.response().putHeader(HEADER, id);
            context.next();
        });
    }
}
