package io.zinteract.images.upload;

import io.zinteract.images.image.ImageResponses;
import io.zinteract.images.image.StoredImage;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.docs.OpenApiDefinitions;
import io.zinteract.images.error.Problem;
import io.zinteract.images.ratelimit.Limit;
import io.zinteract.images.ratelimit.RateLimiter;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
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
import org.jboss.resteasy.reactive.RestPath;

import java.net.URI;

/** Presigned uploads: the client PUTs straight to R2, then confirms here. Only maps HTTP to {@link UploadService}. */
@Path("/api/images/uploads")
@Tag(name = OpenApiDefinitions.TAG_UPLOADS)
public class UploadResource {

    private final UploadService uploads;
    private final ImageResponses responses;
    private final RateLimiter limiter;

    public UploadResource(UploadService uploads, ImageResponses responses, RateLimiter limiter) {
        this.uploads = uploads;
        this.responses = responses;
        this.limiter = limiter;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Get a presigned PUT URL for one image",
            description = "The URL is bound to the declared content type and length (and MD5 when given): send the "
                    + "returned headers exactly. It expires after PRESIGNED_UPLOAD_TTL. Then call completeUrl.")
    @RequestBody(required = true, content = @Content(schema = @Schema(implementation = UploadRequest.class)))
    @APIResponse(responseCode = "201", description = "The URL and how to use it",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = UploadTicket.class)))
    @APIResponse(responseCode = "400", ref = OpenApiDefinitions.BAD_REQUEST)
    @APIResponse(responseCode = "413", ref = OpenApiDefinitions.TOO_LARGE)
    @APIResponse(responseCode = "415", ref = OpenApiDefinitions.NOT_AN_IMAGE)
    @APIResponse(responseCode = "429", ref = OpenApiDefinitions.RATE_LIMITED)
    @APIResponse(responseCode = "503", description = "R2_STORAGE_DISABLED (ENABLE_R2_STORAGE=false), "
            + "STORAGE_NOT_CONFIGURED or DATABASE_UNAVAILABLE")
    public Uni<Response> create(UploadRequest request, UriInfo uri) {
        return limiter.checkRequester(Limit.PRESIGN, "uploads", request == null ? null : request.sessionId(),
                request == null ? null : request.participantId()).chain(() -> uploads.create(request)).map(created -> {
            PendingUpload u = created.upload();
            URI self = uploadUri(uri, u.id(), "");
            UploadTicket ticket = new UploadTicket(u.id(), u.imageId(), u.objectKey(), created.url().url().toString(),
                    "PUT", created.url().headers(), created.url().expiresAt().toString(),
                    uploadUri(uri, u.id(), "/complete").toString());
            return Response.created(self).entity(ticket).build();
        });
    }

    @GET
    @Path("{uploadId}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Where a presigned upload stands")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = UploadState.class)))
    @APIResponse(responseCode = "400", ref = OpenApiDefinitions.BAD_REQUEST)
    @APIResponse(responseCode = "404", description = "UPLOAD_NOT_FOUND")
    public Uni<UploadState> state(@RestPath String uploadId) {
        return uploads.find(uploadId).map(UploadState::of);
    }

    @POST
    @Path("{uploadId}/complete")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Verify the uploaded object and create the image",
            description = "HEAD (exists, declared size), first bytes (declared type), then the whole body (SHA-256, "
                    + "MD5). A verified object is copied to the image's key and the row written; a wrong one is "
                    + "deleted. Completing a completed upload answers 200 with the same image.")
    @APIResponse(responseCode = "201", description = "The image was created, as by POST /api/images",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = StoredImage.class)))
    @APIResponse(responseCode = "200", description = "Completed before: the same image",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = StoredImage.class)))
    @APIResponse(responseCode = "400", ref = OpenApiDefinitions.BAD_REQUEST)
    @APIResponse(responseCode = "404", description = "UPLOAD_NOT_FOUND; IMAGE_NOT_FOUND when a completed upload's "
            + "image was deleted since")
    @APIResponse(responseCode = "409", description = "UPLOAD_OBJECT_MISSING (PUT first; the upload stays open), "
            + "UPLOAD_IN_PROGRESS, UPLOAD_OBJECT_CHANGED (complete again), UPLOAD_REJECTED (request a new upload), "
            + "OBJECT_KEY_CONFLICT (the image key holds another object; nothing stored, the upload stays open)")
    @APIResponse(responseCode = "410", description = "UPLOAD_EXPIRED: completed after the URL expired (plus "
            + "PRESIGNED_UPLOAD_GRACE); the object is deleted")
    @APIResponse(responseCode = "422", description = "UPLOAD_SIZE_MISMATCH, UPLOAD_NOT_AN_IMAGE, UPLOAD_TYPE_MISMATCH, "
            + "UPLOAD_CHECKSUM_MISMATCH: the object was deleted and the upload closed; no row was written")
    @APIResponse(responseCode = "429", description = "QUOTA_EXCEEDED: no room is left under a cap (lowered, or the "
            + "upload's reservation expired, since it was created); the object was deleted and the upload closed")
    @APIResponse(responseCode = "503", ref = OpenApiDefinitions.UNAVAILABLE)
    public Uni<Response> complete(@RestPath String uploadId, UriInfo uri) {
        return uploads.complete(uploadId).map(done -> {
            URI location = responses.serviceUri(uri, done.image().id());
            StoredImage body = done.image().url() != null ? done.image() : done.image().withUrl(location.toString());
            Response.ResponseBuilder reply = done.created() ? Response.created(location)
                    : Response.ok().location(location);
            return reply.entity(body).header("X-Image-Storage", body.storage().wire()).build();
        });
    }

    /** Upload URLs sit under the image API's base, so PUBLIC_BASE_URL applies to them as well. */
    private URI uploadUri(UriInfo uri, String uploadId, String suffix) {
        return responses.serviceUri(uri, "uploads/" + uploadId + suffix);
    }
}
