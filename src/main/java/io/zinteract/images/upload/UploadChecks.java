package io.zinteract.images.upload;

import io.zinteract.images.config.ServiceConfig;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.image.ImageIntake;
import io.zinteract.images.image.intake.ImageType;
import io.zinteract.images.storage.R2Storage;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Base64;
import java.util.Map;

/** What a presigned upload request must satisfy before any URL is handed out: the same field rules as every image. */
@ApplicationScoped
class UploadChecks {

    private final ServiceConfig service;
    private final R2Storage storage;
    private final ImageIntake intake;

    UploadChecks(ServiceConfig service, R2Storage storage, ImageIntake intake) {
        this.service = service;
        this.storage = storage;
        this.intake = intake;
    }

    /** What a client declared, checked. */
    record Declared(ImageIntake.Fields fields, ImageType type, long size, String md5) {
    }

    /** The request's fields, checked, or the problem that answers it. */
    Declared check(UploadRequest r) {
        if (!service.enableR2Storage()) {
            throw new ApiException(ErrorCode.R2_STORAGE_DISABLED, "presigned uploads go to R2, and this service "
                    + "stores new images in the database (ENABLE_R2_STORAGE=false); use POST /api/images");
        }
        if (storage.sseC()) {
            // A browser cannot send the customer key, so its PUT would store plaintext beside encrypted images.
            throw new ApiException(ErrorCode.PRESIGNED_UPLOADS_DISABLED, "presigned uploads cannot carry the SSE-C key "
                    + "(R2_SSE_C_KEY is set); use POST /api/images");
        }
        if (r == null) {
            throw new ApiException(ErrorCode.MISSING_FIELD, "a JSON body is required");
        }
        var f = intake.validateFields(r.personaId(), r.personaTitle(), r.prompt(), r.sessionId(),
                r.participantId(), r.tableId(), r.provider());
        return new Declared(f, declaredType(r.contentType()), declaredSize(r.size()), declaredMd5(r.contentMd5()));
    }

    private static ImageType declaredType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            throw new ApiException(ErrorCode.MISSING_FIELD, "contentType is required");
        }
        String base = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        if (!base.startsWith("image/")) {
            throw new ApiException(ErrorCode.NOT_AN_IMAGE, "contentType " + base + " is not an image type");
        }
        return ImageType.fromMimeType(base).orElseThrow(() -> new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                "image type " + base + " is not supported (JPEG, PNG, WebP, GIF or AVIF)"));
    }

    private long declaredSize(Long size) {
        if (size == null) {
            throw new ApiException(ErrorCode.MISSING_FIELD, "size is required: the exact length in bytes");
        }
        long max = service.maxImageBytes();
        if (size > max) {
            throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "image is " + size + " bytes; the limit is " + max,
                    Map.of("maxBytes", max));
        }
        if (size < 1) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "size must be at least 1");
        }
        return size;
    }

    private static String declaredMd5(String md5) {
        if (md5 == null || md5.isEmpty()) {
            return null;
        }
        try {
            if (Base64.getDecoder().decode(md5).length == 16) {
                return md5;
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw new ApiException(ErrorCode.INVALID_REQUEST, "contentMd5 must be the base64 of a 16-byte MD5 digest");
    }
}
