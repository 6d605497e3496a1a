package io.zinteract.images.image;

/** Everything written when an image is created; {@code imageData} is null when the bytes went to R2. */
public record NewImageRow(String id, String sessionId, String participantId, String tableId, String personaId,
        String personaTitle, String imageUrl, String imageData, String imageMimeType, String prompt, String provider,
        String status, String r2Key, String migrationStatus, Long migratedAt, long createdAt, String contentType,
        long sizeBytes, String sha256, String storageClass) {
}
