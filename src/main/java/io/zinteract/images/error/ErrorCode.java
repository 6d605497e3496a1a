package io.zinteract.images.error;

import java.util.Locale;

/**
 * Every error a client can see: a stable code, its HTTP status and a short title. The code is part of the API;
 * clients branch on it, so names are never reused for another meaning.
 */
public enum ErrorCode {
    INVALID_REQUEST(400, "The request is not valid"),
    MALFORMED_JSON(400, "The request body is not valid JSON of the expected shape"),
    MALFORMED_MULTIPART(400, "The multipart body cannot be read"),
    MISSING_FIELD(400, "A required field is missing"),
    INVALID_ID(400, "An identifier has characters or a length that are not allowed"),
    INVALID_CURSOR(400, "The page cursor is not one this service issued"),
    INVALID_VARIANT(400, "The variant or format is not one this service offers"),
    UNAUTHORIZED(401, "Authentication is required"),
    FORBIDDEN(403, "The credentials do not allow this"),
    ADMIN_DISABLED(403, "Admin endpoints are disabled on this service"),
    CORS_ORIGIN_NOT_ALLOWED(403, "This origin may not call the API from a browser"),
    IMAGE_NOT_FOUND(404, "No image has this id"),
    IMAGE_CONTENT_MISSING(404, "The image has no stored content"),
    NOT_FOUND(404, "No such resource"),
    METHOD_NOT_ALLOWED(405, "Method not allowed"),
    NOT_ACCEPTABLE(406, "No acceptable representation"),
    CONFLICT(409, "The request conflicts with the current state"),
    OBJECT_KEY_CONFLICT(409, "The image's object key already holds another image's object; nothing was overwritten"),
    JOB_NOT_FOUND(404, "No migration job has this id"),
    JOB_CONFLICT(409, "A migration job that changes data is already active"),
    JOB_NOT_ACTIVE(409, "The migration job is not in a state that allows this action"),
    PAYLOAD_TOO_LARGE(413, "The request body or image is larger than allowed"),
    FIELD_TOO_LARGE(413, "A form field is larger than allowed"),
    TOO_MANY_FIELDS(413, "The form has too many fields"),
    URI_TOO_LONG(414, "The request URI is too long"),
    UNSUPPORTED_MEDIA_TYPE(415, "The content type is not accepted here"),
    NOT_AN_IMAGE(415, "The content is not an image of a supported format"),
    CONTENT_TYPE_MISMATCH(415, "The declared content type disagrees with the content"),
    IMAGE_TRUNCATED(422, "The image file is incomplete"),
    IMAGE_DIMENSIONS_MISSING(422, "The image declares no width and height"),
    IMAGE_TOO_MANY_PIXELS(422, "The image has more pixels than allowed"),
    IMAGE_TRAILING_DATA(422, "The image has data after its end"),
    IMAGE_MALFORMED(422, "The image's structure is invalid"),
    VARIANT_NOT_POSSIBLE(422, "No variant can be made of this image"),
    RANGE_NOT_SATISFIABLE(416, "The requested range is outside the image"),
    HEADERS_TOO_LARGE(431, "The request headers are too large"),
    UPLOAD_NOT_FOUND(404, "No presigned upload has this id"),
    UPLOAD_OBJECT_MISSING(409, "Nothing has been uploaded to the presigned URL yet"),
    UPLOAD_IN_PROGRESS(409, "Another request is completing this upload"),
    UPLOAD_OBJECT_CHANGED(409, "The uploaded object changed while it was being verified"),
    UPLOAD_REJECTED(409, "The upload was rejected; request a new one"),
    UPLOAD_EXPIRED(410, "The presigned upload has expired"),
    UPLOAD_SIZE_MISMATCH(422, "The uploaded object's size differs from the declared size"),
    UPLOAD_NOT_AN_IMAGE(422, "The uploaded object is not an image of a supported format"),
    UPLOAD_TYPE_MISMATCH(422, "The uploaded object's type differs from the declared content type"),
    UPLOAD_CHECKSUM_MISMATCH(422, "The uploaded object's MD5 differs from the declared one"),
    INVALID_CORS_POLICY(400, "The CORS policy is not valid"),
    INGEST_URL_INVALID(400, "The URL cannot be fetched as given"),
    INGEST_SCHEME_NOT_ALLOWED(400, "Only https URLs are fetched"),
    INGEST_HOST_NOT_ALLOWED(400, "The URL's host is not on the allowlist"),
    INGEST_HOST_UNRESOLVED(400, "The URL's host does not resolve"),
    INGEST_LOOPBACK_ADDRESS(400, "The URL resolves to a loopback address"),
    INGEST_PRIVATE_ADDRESS(400, "The URL resolves to a private network address"),
    INGEST_LINK_LOCAL_ADDRESS(400, "The URL resolves to a link-local address"),
    INGEST_METADATA_ADDRESS(400, "The URL resolves to a cloud metadata address"),
    INGEST_RESERVED_ADDRESS(400, "The URL resolves to a reserved address"),
    INGEST_TOO_MANY_REDIRECTS(400, "The URL redirects too often"),
    INGEST_TOO_LARGE(413, "The fetched content is larger than allowed"),
    INGEST_NOT_AN_IMAGE(415, "The fetched content is not an image of a supported format"),
    RATE_LIMITED(429, "Too many requests from this client; retry after the time given"),
    PROVIDER_BUSY(503, "The service's image provider calls for all clients are spent for now; retry shortly"),
    QUOTA_EXCEEDED(429, "A quota of this session or persona is used up"),
    INTERNAL_ERROR(500, "Internal error"),
    IMAGE_DATA_CORRUPT(500, "The stored image data cannot be decoded"),
    INGEST_UPSTREAM_FAILED(502, "The URL's server answered with an error"),
    PROVIDER_FAILED(502, "The image provider returned no usable image"),
    STORE_REFUSED(502, "The object store refused the request"),
    STORAGE_UNAVAILABLE(503, "The object store is unavailable"),
    PROVIDER_UNAVAILABLE(503, "The image provider is unavailable"),
    STORAGE_NOT_CONFIGURED(503, "The object store is not configured"),
    R2_STORAGE_DISABLED(503, "New images are not stored in R2 on this service"),
    PRESIGNED_UPLOADS_DISABLED(503, "Presigned uploads are not available on this service"),
    DATABASE_UNAVAILABLE(503, "The database is unavailable"),
    TOO_MANY_WATCHERS(503, "Too many streams of migration job events are open"),
    MIGRATION_READS_BUSY(503, "Too many migration status reads are waiting for the database"),
    VARIANTS_BUSY(503, "Variants are being made at capacity; retry shortly"),
    SERVER_BUSY(503, "The service is at its memory limit for images in flight; retry shortly"),
    INGEST_TIMEOUT(504, "The URL's server did not answer in time");

    private final int status;
    private final String title;

    ErrorCode(int status, String title) {
        this.status = status;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** The problem {@code type} URI; one per code so that clients and docs can refer to it. */
    public String type() {
        return "urn:r2-image-service:problem:" + name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
