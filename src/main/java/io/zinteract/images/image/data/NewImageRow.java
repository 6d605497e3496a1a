package io.zinteract.images.image.data;

import io.zinteract.images.image.data.ImageTable.MigrationStatus;
import io.zinteract.images.image.data.ImageTable.Status;

/**
 * Everything written when an image is created, in the parts that are decided apart: who asked ({@link Owner}), what
 * came in ({@link Content}) and where the bytes went ({@link Placement}). Start from {@link #generating} or
 * {@link #received}, then place the bytes with {@link #inR2} or {@link #inDatabase}.
 */
public record NewImageRow(String id, Owner owner, long createdAt, Status status, Content content,
        Placement placement) {

    /** Who asked for the image and with which words; the same however its bytes are kept. */
    public record Owner(String personaId, String personaTitle, String prompt, String sessionId, String participantId,
            String tableId, String provider) {
    }

    /** The bytes' type (both {@code image_mime_type} and {@code content_type}), length and SHA-256. */
    public record Content(String mimeType, long sizeBytes, String sha256) {

        /** A row whose image is still being generated. */
        static final Content NONE = new Content(null, 0, null);
    }

    /** Where the bytes are: {@code imageData} (base64) in the row, or the object {@code r2Key}, or not yet anywhere. */
    public record Placement(String imageUrl, String imageData, String r2Key, MigrationStatus migrationStatus,
            Long migratedAt, String storageClass) {

        static final Placement NOWHERE = new Placement(null, null, null, MigrationStatus.PENDING, null, null);
    }

    /** The row written before a provider is asked for the image. */
    public static NewImageRow generating(String id, Owner owner, long createdAt) {
        return new NewImageRow(id, owner, createdAt, Status.GENERATING, Content.NONE, Placement.NOWHERE);
    }

    /** A complete image whose bytes are yet to be placed. */
    public static NewImageRow received(String id, Owner owner, long createdAt, Content content) {
        return new NewImageRow(id, owner, createdAt, Status.COMPLETED, content, Placement.NOWHERE);
    }

    /** The generated image of this {@code generating} row, not yet placed. */
    public NewImageRow received(Content generated) {
        return received(id, owner, createdAt, generated);
    }

    /** This row with its bytes in R2 under {@code key}: metadata only, migrated as of {@code migratedAt}. */
    public NewImageRow inR2(String key, String publicUrl, String storageClass, long migratedAt) {
        return new NewImageRow(id, owner, createdAt, status, content,
                new Placement(publicUrl, null, key, MigrationStatus.COMPLETED, migratedAt, storageClass));
    }

    /** This row with its bytes as base64 in the row, pending migration. */
    public NewImageRow inDatabase(String base64) {
        return new NewImageRow(id, owner, createdAt, status, content,
                new Placement(null, base64, null, MigrationStatus.PENDING, null, null));
    }

    public String personaId() {
        return owner.personaId();
    }

    public String contentType() {
        return content.mimeType();
    }

    public long sizeBytes() {
        return content.sizeBytes();
    }

    public String sha256() {
        return content.sha256();
    }

    public String r2Key() {
        return placement.r2Key();
    }

    public String imageUrl() {
        return placement.imageUrl();
    }
}
