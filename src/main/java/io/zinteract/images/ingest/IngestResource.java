package io.zinteract.images.ingest;

import io.smallrye.mutiny.Uni;
import io.zinteract.images.config.ServiceConfig;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.image.ImageResponses;
import io.zinteract.images.image.ImageService;
import io.zinteract.images.image.ImageUpload;
import io.zinteract.images.image.StoredImage;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/** {@code POST /api/images/ingest}: stores an image fetched from a URL, under the same rules as provider URLs. */
@Path("/api/images/ingest")
public class IngestResource {

    private final SafeUrlFetcher fetcher;
    private final ImageService images;
    private final ImageResponses responses;
    private final ServiceConfig config;

    public IngestResource(SafeUrlFetcher fetcher, ImageService images, ImageResponses responses, ServiceConfig config) {
        this.fetcher = fetcher;
        this.images = images;
        this.responses = responses;
        this.config = config;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> ingest(IngestRequest request, UriInfo uri) {
        if (request == null || request.url() == null || request.url().isBlank()) {
            throw new ApiException(ErrorCode.MISSING_FIELD, "url is required");
        }
        // Fields are checked before anything is fetched, so a bad request costs no outbound call.
        images.validateFields(request.personaId(), request.personaTitle(), request.prompt(), request.sessionId(),
                request.participantId(), request.tableId(), request.provider());
        return fetcher.fetch(request.url(), config.maxImageBytes())
                .chain(fetched -> images.store(new ImageUpload(fetched.bytes(), null, fetched.type().mimeType(),
                        request.personaId(), request.personaTitle(), request.prompt(), request.sessionId(),
                        request.participantId(), request.tableId(), request.provider())))
                .map(stored -> {
                    var location = responses.serviceUri(uri, stored.id());
                    StoredImage body = stored.url() != null ? stored : stored.withUrl(location.toString());
                    return Response.created(location).entity(body).header("X-Image-Storage", stored.storage().wire()).build();
                });
    }
}
