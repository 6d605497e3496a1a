package io.zinteract.images.migration.job;

import io.zinteract.images.image.data.ImageTable;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * What a job needs to know of an image before it touches it, without the base64 payload (loaded one image at a time,
 * so a batch never holds more than {@code concurrency} images in memory).
 */
public record WorkRow(String id, String personaId, String imageMimeType, String imageUrl, String r2Key,
        long base64Length, Long sizeBytes, String sha256, String etag, Long migratedAt, String contentType,
        Long createdAt) {

    /** One row selected with {@code MigrationRepository}'s work columns. */
    public static WorkRow of(ResultSet rs) throws SQLException {
        return new WorkRow(rs.getString("id"), rs.getString("persona_id"), rs.getString("image_mime_type"),
                rs.getString("image_url"), rs.getString("r2_key"), rs.getLong("base64_length"),
                ImageTable.longOrNull(rs, "size_bytes"), rs.getString("sha256"), rs.getString("etag"),
                ImageTable.longOrNull(rs, "migrated_at"), rs.getString("content_type"),
                ImageTable.longOrNull(rs, "created_at"));
    }

    public boolean hasBase64() {
        return base64Length > 0;
    }
}
