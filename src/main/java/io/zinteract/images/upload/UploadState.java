package io.zinteract.images.upload;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** What {@code GET /api/images/uploads/{uploadId}} tells about one upload. */
@RegisterForReflection
@Schema(name = "UploadState")
public record UploadState(String uploadId, String imageId,
        @Schema(enumeration = { "pending", "verifying", "completed", "rejected", "expired" }) String status,
        @Schema(description = "why a rejected upload was rejected") String reason, String contentType, long size,
        String expiresAt) {

    static UploadState of(PendingUpload u) {
        return new UploadState(u.id(), u.imageId(), u.status().wire(), u.failureReason(), u.contentType(), u.sizeBytes(),
                java.time.Instant.ofEpochSecond(u.expiresAt()).toString());
    }
}
