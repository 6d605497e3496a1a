package io.zinteract.images.upload;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The body of {@code POST /api/images/uploads}: the image's row fields and what the client is about to PUT. */
@RegisterForReflection
@Schema(name = "UploadRequest", description = "An image the client will PUT to R2 itself")
public record UploadRequest(
        @Schema(required = true, pattern = "[A-Za-z0-9_-]{1,64}", examples = "gen-z") String personaId,
        @Schema(required = true, maxLength = 4000) String prompt,
        @Schema(maxLength = 200, description = "defaults to personaId") String personaTitle,
        @Schema(pattern = "[A-Za-z0-9_-]{1,64}") String sessionId,
        @Schema(pattern = "[A-Za-z0-9_-]{1,64}") String participantId,
        @Schema(pattern = "[A-Za-z0-9_-]{1,64}") String tableId,
        @Schema(enumeration = { "openai", "stability", "midjourney", "placeholder" }, defaultValue = "placeholder") String provider,
        @Schema(required = true, enumeration = { "image/jpeg", "image/png", "image/webp", "image/gif", "image/avif" })
        String contentType,
        @Schema(required = true, minimum = "1", description = "exact length in bytes; at most MAX_IMAGE_BYTES") Long size,
        @Schema(description = "optional base64 MD5 of the bytes; when given, the store refuses any other body")
        String contentMd5) {
}
