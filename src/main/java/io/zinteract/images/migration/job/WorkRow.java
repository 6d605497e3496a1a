package io.zinteract.images.migration.job;

/**
 * What a job needs to know of an image before it touches it, without the base64 payload (loaded one image at a time,
 * so a batch never holds more than {@code concurrency} images in memory).
 */
public record WorkRow(String id, String personaId, String imageMimeType, String imageUrl, String r2Key,
        long base64Length, Long sizeBytes, String sha256, String etag, Long migratedAt, String contentType,
        Long createdAt) {

    public boolean hasBase64() {
        return base64Length > 0;
    }
}
