package io.zinteract.images.image.data;

/**
 * One row of {@code images} without its base64 payload (loaded only when served). {@code base64Length} is the length
 * of {@code image_data} in characters, 0 when there is none; {@code thumbhash} its placeholder, once a variant was made.
 */
public record ImageRecord(String id, String sessionId, String participantId, String tableId, String personaId,
        String personaTitle, String imageUrl, String imageMimeType, String prompt, String provider, String status,
        String r2Key, String migrationStatus, Long migratedAt, Long createdAt, Long updatedAt, String contentType,
        Long sizeBytes, String sha256, String storageClass, long base64Length, String thumbhash) {

    /** Whether {@code r2Key} names an object: {@link ImageTable#IN_R2} as the walks test it. */
    public boolean hasR2Object() {
        return ImageTable.inR2(r2Key);
    }

    public boolean hasBase64() {
        return base64Length > 0;
    }

    /** An {@code image_url} that points elsewhere on the web (the provider's URL), as opposed to one of our objects. */
    public boolean hasExternalUrl() {
        return imageUrl != null && (imageUrl.startsWith("https://") || imageUrl.startsWith("http://"));
    }

    /** Where the bytes are served from: R2 first, then the database, then an external URL. */
    public StorageKind storage() {
        if (hasR2Object()) {
            return StorageKind.R2;
        }
        if (hasBase64()) {
            return StorageKind.BASE64;
        }
        return hasExternalUrl() ? StorageKind.EXTERNAL : StorageKind.NONE;
    }

    /** The best content type known: ours, then the legacy column. */
    public String effectiveContentType() {
        return contentType != null ? contentType : imageMimeType;
    }
}
