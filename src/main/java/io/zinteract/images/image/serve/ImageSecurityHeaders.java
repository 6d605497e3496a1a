package io.zinteract.images.image.serve;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Every answer under {@code /api/images} (the bytes, 206, 304, redirects and problems alike) tells browsers not to
 * second-guess its type ({@code nosniff}) and not to run anything in it (a CSP that allows nothing, and a sandbox).
 * Images are checked on the way in, but legacy rows are served as they were stored: whatever a polyglot hides, a
 * browser that opens the image's URL must neither render it as HTML nor run its script.
 */
public class ImageSecurityHeaders {

    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

    @ServerResponseFilter
    public void addHeaders(ContainerRequestContext request, ContainerResponseContext response) {
        String path = request.getUriInfo().getPath();
        if (path != null && (path.equals("/api/images") || path.startsWith("/api/images/"))) {
            response.getHeaders().putSingle("X-Content-Type-Options", "nosniff");
            response.getHeaders().putSingle("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        }
    }
}
