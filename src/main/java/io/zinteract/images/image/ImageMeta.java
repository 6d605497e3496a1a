package io.zinteract.images.image;

import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.zinteract.images.image.data.ImageRecord;
import io.zinteract.images.image.data.StorageKind;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** An image's metadata as the API shows it; never the base64 payload. Times are Unix seconds as in the table. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageMeta(String id, String personaId, String personaTitle, String prompt, String sessionId,
        String participantId, String tableId, String provider, String status, StorageKind storage, String contentType,
        Long size, String sha256, String r2Key, String storageClass, String imageUrl, String url,
        String migrationStatus, Long migratedAt, Long createdAt, Long updatedAt,
        @Schema(description = "ThumbHash of the image (base64), a blurred preview to paint before any image byte "
                + "arrives; set once its first variant was made") String thumbhash,
        @Schema(description = "URL of each variant preset, by name") Map<String, String> variants) {

    static ImageMeta of(ImageRecord r, String url, Map<String, String> variants) {
        return new ImageMeta(r.id(), r.personaId(), r.personaTitle(), r.prompt(), r.sessionId(), r.participantId(),
                r.tableId(), r.provider(), r.status(), r.storage(), r.effectiveContentType(), r.sizeBytes(), r.sha256(),
                r.r2Key(), r.storageClass(), r.imageUrl(), url, r.migrationStatus(), r.migratedAt(), r.createdAt(),
                r.updatedAt(), r.thumbhash(), variants.isEmpty() ? null : variants);
    }
}
