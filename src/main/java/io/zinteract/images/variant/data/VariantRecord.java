package io.zinteract.images.variant.data;

/** One row of {@code image_variants}: a variant kept in the bucket under {@code r2Key}; {@code alpha}: the original has
 * transparent pixels. */
public record VariantRecord(String imageId, String preset, String format, int width, int height, long bytes,
        String sha256, boolean alpha, String r2Key, long createdAt) {
}
