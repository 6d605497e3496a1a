package io.zinteract.images.error;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.cors.CORSFilter;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Refuses, with a problem document, the requests that Quarkus' own HTTP layer would refuse with an empty body: a
 * declared {@code Content-Length} over {@code MAX_REQUEST_BYTES} (Quarkus' upload limit answers a bare 413) and, when
 * {@code CORS_ORIGINS} is set, a browser request from an origin not on the list (Quarkus' CORS filter answers a bare
 * 403). It runs on the router before both and applies the same rules, so they never see such a request.
 */
@ApplicationScoped
public class EdgeProblems {

    /** After {@code RequestIds} (so the answer carries the id), before the CORS filter and the upload limit. */
    static final int ORDER = Integer.MIN_VALUE + 1;

    private final long maxBodyBytes;
    private final boolean cors;
    private final List<String> origins;
    private final List<Pattern> originPatterns;
    private final boolean anyOrigin;

    public EdgeProblems(@ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBody,
            @ConfigProperty(name = "quarkus.http.cors.enabled", defaultValue = "false") boolean cors,
            @ConfigProperty(name = "quarkus.http.cors.origins") Optional<List<String>> origins) {
        this.maxBodyBytes = maxBody.map(MemorySize::asLongValue).orElse(Long.MAX_VALUE);
        this.cors = cors;
        this.origins = origins.orElse(List.of()).stream().map(String::trim).toList();
        this.originPatterns = CORSFilter.parseAllowedOriginsRegex(Optional.of(this.origins));
        this.anyOrigin = this.origins.contains("*");
    }

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(this::check);
    }

    private void check(RoutingContext context) {
        HttpServerRequest request = context.request();
        String declared = request.getHeader("Content-Length");
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                VertxProblems.send(request, ErrorCode.INVALID_REQUEST, "Content-Length is not a number", true,
                        request.path());
                return;
            }
            if (length > maxBodyBytes) {
                VertxProblems.send(request, ErrorCode.PAYLOAD_TOO_LARGE, "the request body is " + length
                        + " bytes; this service accepts at most " + maxBodyBytes + " (MAX_REQUEST_BYTES)", true, request.path());
                return;
            }
        }
        String origin = request.getHeader("Origin");
        if (cors && origin != null && !originAllowed(request, origin)) {
            VertxProblems.send(request, ErrorCode.CORS_ORIGIN_NOT_ALLOWED, "the origin " + shortened(origin)
                    + " is not in CORS_ORIGINS", false, request.path());
            return;
        }
        context.next();
    }

    /** The rule of Quarkus' CORS filter: a listed origin, a matching /regex/, {@code *}, or the service's own origin. */
    boolean originAllowed(HttpServerRequest request, String origin) {
        return anyOrigin || origins.contains(origin) || CORSFilter.isOriginAllowedByRegex(originPatterns, origin)
                || sameOrigin(request, origin);
    }

    private static boolean sameOrigin(HttpServerRequest request, String origin) {
        try {
            URI own = URI.create(request.absoluteURI());
            URI other = URI.create(origin);
            if (other.getRawPath() != null && !other.getRawPath().isEmpty() || other.getHost() == null
                    || !own.getScheme().equals(other.getScheme()) || !own.getHost().equalsIgnoreCase(other.getHost())) {
                return false;
            }
            return effectivePort(own) == effectivePort(other);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static int effectivePort(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "https".equals(uri.getScheme()) ? 443 : 80;
    }

    private static String shortened(String value) {
        String printable = value.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 200 ? printable.substring(0, 200) + "..." : printable;
    }
}
