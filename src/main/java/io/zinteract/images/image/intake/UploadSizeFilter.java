package io.zinteract.images.image.intake;

import io.zinteract.images.config.ServiceConfig;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.error.ProblemMapper;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Map;

/**
 * Refuses an upload whose declared length is over {@code MAX_IMAGE_BYTES} before its body is read, so a client
 * announcing a huge body gets its 413 at once and the service never buffers it. Multipart framing is allowed a
 * little on top of the image itself; the exact limit on the image is checked again once it is read.
 */
public class UploadSizeFilter {

    static final long MULTIPART_OVERHEAD = 64 * 1024;

    private final ServiceConfig config;

    public UploadSizeFilter(ServiceConfig config) {
        this.config = config;
    }

    @ServerRequestFilter(preMatching = true)
    public Response refuseOversizedUploads(ContainerRequestContext request) {
        if (!"POST".equals(request.getMethod()) || !request.getUriInfo().getPath().startsWith("/api/images")) {
            return null;
        }
        String declared = request.getHeaderString("Content-Length");
        if (declared == null) {
            return null;
        }
        long length;
        try {
            length = Long.parseLong(declared.trim());
        } catch (NumberFormatException e) {
            return ProblemMapper.respond(ErrorCode.INVALID_REQUEST, "Content-Length is not a number", Map.of(), null);
        }
        String type = request.getHeaderString("Content-Type");
        boolean multipart = type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/");
        long limit = config.maxImageBytes() + (multipart ? MULTIPART_OVERHEAD : 0);
        if (length > limit) {
            return ProblemMapper.respond(ErrorCode.PAYLOAD_TOO_LARGE,
                    "the request body is " + length + " bytes; images may be at most " + config.maxImageBytes(),
                    Map.of("maxBytes", config.maxImageBytes()), null);
        }
        return null;
    }
}
