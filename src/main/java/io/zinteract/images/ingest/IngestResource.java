package io.zinteract.images.ingest;

import io.zinteract.images.image.ImageResponses;
import io.zinteract.images.image.ImageIntake;
import io.zinteract.images.image.ImageUpload;
import io.zinteract.images.image.ImageService;
import io.zinteract.images.image.StoredImage;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.config.ServiceConfig;
import io.zinteract.images.docs.OpenApiDefinitions;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.ratelimit.Limit;
import io.zinteract.images.ratelimit.RateLimiter;
import io.zinteract.images.quota.QuotaEndpoint;
import io.zinteract.images.quota.QuotaService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code POST /api/images/ingest}: stores an image fetched from a URL, under the same rules as provider URLs. */
@Path("/api/images/ingest")
@Tag(name = OpenApiDefinitions.TAG_GENERATION)
public class IngestResource {

    private final SafeUrlFetcher fetcher;
    private final ImageService images;
    private final ImageIntake intake;
    private final ImageResponses responses;
    private final ServiceConfig config;
    private final RateLimiter limiter;
    private final QuotaService quota;

    public IngestResource(SafeUrlFetcher fetcher, ImageService images, ImageIntake intake, ImageResponses responses,
            ServiceConfig config, RateLimiter limiter, QuotaService quota) {
        this.limiter = limiter;
        this.quota = quota;
        this.intake = intake;
        this.fetcher = fetcher;
        this.images = images;
        this.responses = responses;
        this.config = config;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Fetch an image from a URL and store it like an upload",
            description = "https only, host on INGEST_ALLOWED_HOSTS, never an internal address (checked for every "
                    + "address and redirect), size and type checked while it streams.")
    @RequestBody(required = true, content = @Content(schema = @Schema(implementation = IngestRequest.class)))
    @APIResponse(responseCode = "201", description = "Fetched and stored, as by POST /api/images",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = StoredImage.class)))
    @APIResponse(responseCode = "400", description = "INGEST_URL_INVALID, INGEST_SCHEME_NOT_ALLOWED, "
            + "INGEST_HOST_NOT_ALLOWED, INGEST_HOST_UNRESOLVED, INGEST_*_ADDRESS, INGEST_TOO_MANY_REDIRECTS, or the "
            + "image API's own 400 codes; nothing was fetched or stored")
    @APIResponse(responseCode = "413", description = "INGEST_TOO_LARGE or PAYLOAD_TOO_LARGE")
    @APIResponse(responseCode = "415", description = "INGEST_NOT_AN_IMAGE")
    @APIResponse(responseCode = "429", ref = OpenApiDefinitions.RATE_LIMITED)
    @APIResponse(responseCode = "502", description = "INGEST_UPSTREAM_FAILED: the URL's server answered with an error")
    @APIResponse(responseCode = "503", ref = OpenApiDefinitions.UNAVAILABLE)
    @APIResponse(responseCode = "504", description = "INGEST_TIMEOUT")
    public Uni<Response> ingest(IngestRequest request, UriInfo uri) {
        if (request == null || request.url() == null || request.url().isBlank()) {
            throw new ApiException(ErrorCode.MISSING_FIELD, "url is required");
        }
        // Fields are checked before anything is fetched, so a bad request costs no outbound call.
        // A session or persona over its rate or whose quota is already full costs no fetch either; the image's size
        // decides below.
        var f = intake.validateFields(request.personaId(), request.personaTitle(), request.prompt(),
                request.sessionId(), request.participantId(), request.tableId(), request.provider());
        return limiter.checkRequester(Limit.INGEST, "ingest", request.sessionId(), request.participantId())
                .chain(() -> quota.precheckLater(f.sessionId(), f.personaId(), QuotaEndpoint.INGEST))
                .chain(() -> fetcher.fetch(request.url(), config.maxImageBytes()))
                .chain(fetched -> images.store(new ImageUpload(fetched.bytes(), null, fetched.type().mimeType(),
                        request.personaId(), request.personaTitle(), request.prompt(), request.sessionId(),
                        request.participantId(), request.tableId(), request.provider()), QuotaEndpoint.INGEST))
                .map(stored -> {
                    var location = responses.serviceUri(uri, stored.id());
                    StoredImage body = stored.url() != null ? stored : stored.withUrl(location.toString());
                    return Response.created(location).entity(body).header("X-Image-Storage", stored.storage().wire()).build();
                });
    }
}
