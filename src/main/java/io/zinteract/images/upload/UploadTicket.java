package io.zinteract.images.upload;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.Map;

/**
 * The answer to {@code POST /api/images/uploads}: where to PUT the bytes, with which headers, until when, and where
 * to confirm. {@code key} is where the image will live once completed.
 */
@RegisterForReflection
@Schema(name = "UploadTicket")
public record UploadTicket(String uploadId, String imageId, String key,
        @Schema(description = "presigned PUT URL on the R2 endpoint") String url,
        @Schema(enumeration = "PUT") String method,
        @Schema(description = "headers to send with the PUT, exactly as given (they are signed)") Map<String, String> headers,
        @Schema(description = "ISO-8601 instant after which the URL no longer works") String expiresAt,
        @Schema(description = "POST here once the PUT succeeded") String completeUrl) {
}
