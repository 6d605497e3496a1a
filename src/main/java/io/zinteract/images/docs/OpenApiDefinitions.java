package io.zinteract.images.docs;

import io.zinteract.images.error.Problem;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import jakarta.ws.rs.core.Application;

/**
 * The parts of {@code /q/openapi} that endpoints share: the admin bearer scheme and one problem response per
 * status that many endpoints can answer. Endpoints refer to them by name, e.g.
 * {@code @APIResponse(responseCode = "401", ref = OpenApiDefinitions.UNAUTHORIZED)}, and describe the responses only
 * they give inline, always as {@code application/problem+json} with the {@link Problem} schema.
 *
 * <p>It extends {@link Application} only because that is where the OpenAPI scanner looks for
 * {@code @OpenAPIDefinition}; it declares no path and no classes, so every resource is served as before.
 */
@OpenAPIDefinition(
        info = @Info(title = "r2-image-service", version = "1.0",
                description = "Stores z-interact's persona images in Cloudflare R2 and keeps their metadata in SQL. "
                        + "Every error is application/problem+json (RFC 9457) with a stable `code`."),
        tags = {
                @Tag(name = OpenApiDefinitions.TAG_IMAGES, description = "Upload, read, list and delete images"),
                @Tag(name = OpenApiDefinitions.TAG_UPLOADS, description = "Presigned uploads straight to R2"),
                @Tag(name = OpenApiDefinitions.TAG_GENERATION, description = "Generate or fetch images and store them"),
                @Tag(name = OpenApiDefinitions.TAG_ADMIN, description = "Operator actions; need the admin key") },
        components = @Components(
                securitySchemes = @SecurityScheme(securitySchemeName = OpenApiDefinitions.ADMIN_KEY,
                        type = SecuritySchemeType.HTTP, scheme = "bearer",
                        description = "Authorization: Bearer <ADMIN_API_KEY>"),
                responses = {
                        @APIResponse(name = OpenApiDefinitions.BAD_REQUEST, responseCode = "400",
                                description = "The request is not valid (INVALID_REQUEST, MISSING_FIELD, INVALID_ID, "
                                        + "MALFORMED_JSON, MALFORMED_MULTIPART, ...); nothing was changed",
                                content = @Content(mediaType = Problem.MEDIA_TYPE,
                                        schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = OpenApiDefinitions.UNAUTHORIZED, responseCode = "401",
                                description = "UNAUTHORIZED: no admin key, or a wrong one (with a Bearer challenge)",
                                content = @Content(mediaType = Problem.MEDIA_TYPE,
                                        schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = OpenApiDefinitions.FORBIDDEN, responseCode = "403",
                                description = "ADMIN_DISABLED: the service has no ADMIN_API_KEY, so admin endpoints "
                                        + "are off",
                                content = @Content(mediaType = Problem.MEDIA_TYPE,
                                        schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = OpenApiDefinitions.IMAGE_NOT_FOUND, responseCode = "404",
                                description = "IMAGE_NOT_FOUND (or IMAGE_CONTENT_MISSING when the row has no bytes)",
                                content = @Content(mediaType = Problem.MEDIA_TYPE,
                                        schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = OpenApiDefinitions.TOO_LARGE, responseCode = "413",
                                description = "PAYLOAD_TOO_LARGE: above MAX_IMAGE_BYTES (member maxBytes)",
                                content = @Content(mediaType = Problem.MEDIA_TYPE,
                                        schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = OpenApiDefinitions.NOT_AN_IMAGE, responseCode = "415",
                                description = "NOT_AN_IMAGE, CONTENT_TYPE_MISMATCH or UNSUPPORTED_MEDIA_TYPE: only "
                                        + "JPEG, PNG, WebP, GIF and AVIF are stored, recognised from their bytes",
                                content = @Content(mediaType = Problem.MEDIA_TYPE,
                                        schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = OpenApiDefinitions.RATE_LIMITED, responseCode = "429",
                                description = "RATE_LIMITED: this client (address, session or participant) is over "
                                        + "a RATE_LIMIT_* limit (members limit, scope, retryAfterSeconds); nothing was "
                                        + "stored, called or fetched. With Retry-After, RateLimit and RateLimit-Policy. "
                                        + "Where quotas apply (uploads, ingest, generation, presigned uploads) also "
                                        + "QUOTA_EXCEEDED: the image would cross a QUOTA_* cap of its session or "
                                        + "persona (members quota, limit, used, resetsAt; Retry-After for the daily "
                                        + "cap); nothing was stored",
                                content = @Content(mediaType = Problem.MEDIA_TYPE,
                                        schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = OpenApiDefinitions.UNAVAILABLE, responseCode = "503",
                                description = "STORAGE_UNAVAILABLE, STORAGE_NOT_CONFIGURED or DATABASE_UNAVAILABLE "
                                        + "(with Retry-After)",
                                content = @Content(mediaType = Problem.MEDIA_TYPE,
                                        schema = @Schema(implementation = Problem.class))) }))
public class OpenApiDefinitions extends Application {

    public static final String ADMIN_KEY = "adminKey";
    public static final String TAG_IMAGES = "Images";
    public static final String TAG_UPLOADS = "Uploads";
    public static final String TAG_GENERATION = "Generation";
    public static final String TAG_ADMIN = "Admin";

    public static final String BAD_REQUEST = "BadRequest";
    public static final String UNAUTHORIZED = "Unauthorized";
    public static final String FORBIDDEN = "Forbidden";
    public static final String IMAGE_NOT_FOUND = "ImageNotFound";
    public static final String TOO_LARGE = "PayloadTooLarge";
    public static final String NOT_AN_IMAGE = "NotAnImage";
    public static final String UNAVAILABLE = "ServiceUnavailable";
    public static final String RATE_LIMITED = "RateLimited";
}
