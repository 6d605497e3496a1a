package io.zinteract.images.upload;

/**
 * One presigned upload as stored in {@code pending_uploads}: what the client declared, where the object lands
 * ({@code uploadKey}) and where the image will live once verified ({@code objectKey}). Times are Unix seconds.
 */
public record PendingUpload(String id, String imageId, String objectKey, String uploadKey, String personaId,
        String personaTitle, String prompt, String sessionId, String participantId, String tableId, String provider,
        String contentType, long sizeBytes, String contentMd5, Status status, String failureReason, long createdAt,
        long expiresAt, long updatedAt) {

    /** Where an upload stands; stored lower-case. */
    public enum Status {
        /** The URL was handed out; nothing verified yet. */
        PENDING,
        /** A completion is verifying the object since {@code updatedAt}. */
        VERIFYING,
        /** The image row exists. */
        COMPLETED,
        /** The object failed verification and was deleted. */
        REJECTED,
        /** Completed too late; its object, if any, was deleted. */
        EXPIRED;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Status of(String wire) {
            return valueOf(wire.toUpperCase(java.util.Locale.ROOT));
        }
    }
}
