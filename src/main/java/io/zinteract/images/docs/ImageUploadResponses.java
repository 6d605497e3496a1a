package io.zinteract.images.docs;

import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The problems an image sent to {@code POST /api/images} can cause, written once for its two methods (multipart and
 * raw body), which OpenAPI shows as one operation. {@code @Operation} targets methods only and cannot be composed,
 * so its texts are constants here.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@APIResponse(responseCode = "400", ref = OpenApiDefinitions.BAD_REQUEST)
@APIResponse(responseCode = "413", ref = OpenApiDefinitions.TOO_LARGE)
@APIResponse(responseCode = "415", ref = OpenApiDefinitions.NOT_AN_IMAGE)
@APIResponse(responseCode = "422", description = "IMAGE_TRUNCATED, IMAGE_DIMENSIONS_MISSING, IMAGE_TOO_MANY_PIXELS, "
        + "IMAGE_TRAILING_DATA or IMAGE_MALFORMED: the file's structure fails the checks for its format")
@APIResponse(responseCode = "429", description = "QUOTA_EXCEEDED: the image would cross a cap of its session or "
        + "persona (members quota, limit, used, resetsAt); nothing was stored")
@APIResponse(responseCode = "503", ref = OpenApiDefinitions.UNAVAILABLE)
public @interface ImageUploadResponses {

    String SUMMARY = "Upload an image";
    String DESCRIPTION = "multipart/form-data with part file and the row fields, or a raw image/* (or "
            + "application/octet-stream) body with the fields as query parameters. The type comes from the bytes. "
            + "Stored in R2 when ENABLE_R2_STORAGE=true (base64 in the database otherwise, or as a fallback when R2 "
            + "fails).";
}
