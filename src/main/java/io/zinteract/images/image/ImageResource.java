package io.zinteract.images.image;

import io.zinteract.images.image.data.ImageRecord;
import io.zinteract.images.image.data.PageCursor;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.docs.AdminResponses;
import io.zinteract.images.docs.ImageUploadResponses;
import io.zinteract.images.docs.OpenApiDefinitions;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.ratelimit.Limit;
import io.zinteract.images.ratelimit.RateLimiter;
import io.zinteract.images.security.AdminOnly;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.net.URI;
import java.util.List;

/** The image API. Only maps HTTP to the services and back; the services validate and decide. */
@Path("/api/images")
@Tag(name = OpenApiDefinitions.TAG_IMAGES)
public class ImageResource {

    static final int DEFAULT_PAGE = 50;
    static final int MAX_PAGE = 200;

    private final ImageService images;
    private final ImageReadService reads;
    private final ImageResponses responses;
    private final VariantReads variants;
    private final RateLimiter limiter;

    public ImageResource(ImageService images, ImageReadService reads, ImageResponses responses,
            VariantReads variants, RateLimiter limiter) {
        this.limiter = limiter;
        this.variants = variants;
        this.images = images;
        this.reads = reads;
        this.responses = responses;
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = ImageUploadResponses.SUMMARY, description = ImageUploadResponses.DESCRIPTION)
    @APIResponse(responseCode = "201", description = "Stored; Location names the image, X-Image-Storage where it went",
            headers = @Header(name = "X-Image-Storage", schema = @Schema(enumeration = { "r2", "base64" })),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = StoredImage.class)))
    @ImageUploadResponses
    public Uni<Response> uploadForm(@RestForm("file") List<FileUpload> files, @RestForm String personaId,
            @RestForm String personaTitle, @RestForm String prompt, @RestForm String sessionId,
            @RestForm String participantId, @RestForm String tableId, @RestForm String provider, UriInfo uri) {
        if (files == null || files.isEmpty()) {
            throw new ApiException(ErrorCode.MISSING_FIELD, "multipart part 'file' with the image is required");
        }
        FileUpload file = files.get(0);
        return created(new ImageUpload(null, file.uploadedFile(), file.contentType(), personaId, personaTitle, prompt,
                sessionId, participantId, tableId, provider), uri);
    }

    /**
     * The body arrives as a file: Quarkus spools it to the uploads directory in small buffers (and deletes it when the
     * request ends), so an image of hundreds of MiB never sits in the heap.
     */
    @POST
    @Consumes({ "image/*", MediaType.APPLICATION_OCTET_STREAM })
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = ImageUploadResponses.SUMMARY, description = ImageUploadResponses.DESCRIPTION)
    @APIResponse(responseCode = "201", description = "Stored; Location names the image, X-Image-Storage where it went",
            headers = @Header(name = "X-Image-Storage", schema = @Schema(enumeration = { "r2", "base64" })),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = StoredImage.class)))
    @ImageUploadResponses
    public Uni<Response> uploadRaw(java.nio.file.Path body, @RestHeader("Content-Type") String contentType,
            @RestQuery String personaId, @RestQuery String personaTitle, @RestQuery String prompt,
            @RestQuery String sessionId, @RestQuery String participantId, @RestQuery String tableId,
            @RestQuery String provider, UriInfo uri) {
        return created(new ImageUpload(body == null ? new byte[0] : null, body, contentType, personaId, personaTitle,
                prompt, sessionId, participantId, tableId, provider), uri);
    }

    @GET
    @Path("{id}")
    @Operation(summary = "The image's bytes, or a redirect to them",
            description = "Base64 rows and R2 rows streamed with IMAGE_SERVE_MODE=proxy: the bytes with ETag (SHA-256), "
                    + "Cache-Control, Range (206, 416 with Content-Range: bytes */size) and If-None-Match (304). R2 rows "
                    + "in redirect mode: 304 on a matching If-None-Match, else 302 to R2_PUBLIC_URL or a presigned URL. "
                    + "Rows with only an external image_url: 302 to it. Every answer carries X-Content-Type-Options: "
                    + "nosniff and a Content-Security-Policy that allows nothing. With variant=<preset>: a right-sized "
                    + "copy (made on first request, then kept), with its own strong ETag, Vary: Accept and the same "
                    + "serve modes.")
    @APIResponse(responseCode = "200", description = "The image",
            content = @Content(mediaType = "image/*", schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(responseCode = "206", description = "The requested range",
            content = @Content(mediaType = "image/*", schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(responseCode = "302", description = "Where to fetch the bytes",
            headers = @Header(name = "Location", schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "304", description = "If-None-Match matched the ETag")
    @APIResponse(responseCode = "400", description = "INVALID_ID, INVALID_VARIANT (unknown preset or format, raw "
            + "sizes, format without variant)")
    @APIResponse(responseCode = "404", ref = OpenApiDefinitions.IMAGE_NOT_FOUND)
    @APIResponse(responseCode = "416", description = "RANGE_NOT_SATISFIABLE")
    @APIResponse(responseCode = "422", description = "VARIANT_NOT_POSSIBLE, IMAGE_TOO_MANY_PIXELS: no variant can be "
            + "made of this image")
    @APIResponse(responseCode = "500", description = "IMAGE_DATA_CORRUPT: a legacy row's base64 cannot be decoded")
    @APIResponse(responseCode = "503", ref = OpenApiDefinitions.UNAVAILABLE)
    public Uni<Response> get(@RestPath String id, @RestHeader("Range") String range,
            @RestHeader("If-None-Match") String ifNoneMatch,
            @Parameter(description = "A preset by name (VARIANTS_PRESETS; by default thumb 160, small 480, medium "
                    + "1024 pixels wide, never enlarged); absent: the original") @RestQuery String variant,
            @Parameter(description = "With variant: auto (default: WebP when Accept names image/webp, else JPEG, "
                    + "or PNG for images with transparency), webp, jpeg or png",
                    schema = @Schema(enumeration = { "auto", "webp", "jpeg", "png" })) @RestQuery String format,
            @RestHeader("Accept") String accept) {
        if (variant == null && format == null) {
            return responses.serve(reads.content(id, range, ifNoneMatch), range, ifNoneMatch);
        }
        // The answer depends on Accept (format=auto), so every variant response says so to caches.
        return responses.serve(variants.content(id, variant, format, accept, range, ifNoneMatch), range, ifNoneMatch)
                .map(r -> Response.fromResponse(r).header("Vary", "Accept").build());
    }

    @GET
    @Path("{id}/meta")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The image's metadata (never its base64)")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ImageMeta.class)))
    @APIResponse(responseCode = "400", ref = OpenApiDefinitions.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = OpenApiDefinitions.IMAGE_NOT_FOUND)
    @APIResponse(responseCode = "503", ref = OpenApiDefinitions.UNAVAILABLE)
    public Uni<ImageMeta> meta(@RestPath String id, UriInfo uri) {
        return reads.find(id).map(row -> ImageMeta.of(row, responses.url(row, uri), responses.variantUrls(row, uri)));
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "List images, newest first",
            description = "Keyset-paginated: limit 1 to 200 (default 50); pass nextCursor back as cursor.")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ImagePage.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST (limit), INVALID_ID, INVALID_CURSOR")
    @APIResponse(responseCode = "503", ref = OpenApiDefinitions.UNAVAILABLE)
    public Uni<ImagePage> list(@RestQuery String personaId, @RestQuery String sessionId, @RestQuery String limit,
            @RestQuery String cursor, UriInfo uri) {
        int size = pageSize(limit);
        return reads.page(personaId, sessionId, cursor, size + 1).map(rows -> {
            boolean more = rows.size() > size;
            List<ImageRecord> page = more ? rows.subList(0, size) : rows;
            String next = null;
            if (more) {
                ImageRecord last = page.get(page.size() - 1);
                next = new PageCursor(last.createdAt() == null ? 0 : last.createdAt(), last.id()).encode();
            }
            return new ImagePage(page.stream().map(r -> ImageMeta.of(r, responses.url(r, uri), responses.variantUrls(r, uri))).toList(), next);
        });
    }

    @DELETE
    @AdminOnly
    @Path("{id}")
    @Operation(summary = "Delete an image: its R2 object first, then its row")
    @AdminResponses
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "400", ref = OpenApiDefinitions.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = OpenApiDefinitions.IMAGE_NOT_FOUND)
    @APIResponse(responseCode = "503", ref = OpenApiDefinitions.UNAVAILABLE)
    public Uni<Response> delete(@RestPath String id) {
        return images.delete(id).map(ignored -> Response.noContent().build());
    }

    private Uni<Response> created(ImageUpload upload, UriInfo uri) {
        return limiter.checkRequester(Limit.UPLOADS, "images", upload.sessionId(), upload.participantId())
                .chain(() -> images.store(upload)).map(stored -> {
            URI location = responses.serviceUri(uri, stored.id());
            StoredImage body = stored.url() != null ? stored : stored.withUrl(location.toString());
            return Response.created(location).entity(body).header("X-Image-Storage", stored.storage().wire()).build();
        });
    }

    private static int pageSize(String limit) {
        if (limit == null || limit.isEmpty()) {
            return DEFAULT_PAGE;
        }
        try {
            int value = Integer.parseInt(limit);
            if (value >= 1 && value <= MAX_PAGE) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below like any other out-of-range value
        }
        throw new ApiException(ErrorCode.INVALID_REQUEST, "limit must be a whole number from 1 to " + MAX_PAGE);
    }
}
