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
    UNAUTHORIZED(401, "Authentication is required"),
    FORBIDDEN(403, "The credentials do not allow this"),
    IMAGE_NOT_FOUND(404, "No image has this id"),
    IMAGE_CONTENT_MISSING(404, "The image has no stored content"),
    NOT_FOUND(404, "No such resource"),
    METHOD_NOT_ALLOWED(405, "Method not allowed"),
    NOT_ACCEPTABLE(406, "No acceptable representation"),
    CONFLICT(409, "The request conflicts with the current state"),
    JOB_NOT_FOUND(404, "No migration job has this id"),
    JOB_CONFLICT(409, "A migration job that changes data is already active"),
    JOB_NOT_ACTIVE(409, "The migration job is not in a state that allows this action"),
    PAYLOAD_TOO_LARGE(413, "The image is larger than allowed"),
    UNSUPPORTED_MEDIA_TYPE(415, "The content type is not accepted here"),
    NOT_AN_IMAGE(415, "The content is not an image of a supported format"),
    CONTENT_TYPE_MISMATCH(415, "The declared content type disagrees with the content"),
    RANGE_NOT_SATISFIABLE(416, "The requested range is outside the image"),
    INTERNAL_ERROR(500, "Internal error"),
    IMAGE_DATA_CORRUPT(500, "The stored image data cannot be decoded"),
    STORAGE_UNAVAILABLE(503, "The object store is unavailable"),
    STORAGE_NOT_CONFIGURED(503, "The object store is not configured"),
    DATABASE_UNAVAILABLE(503, "The database is unavailable");

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
