package io.zinteract.images.variant.codec;

import java.time.Duration;

/**
 * Bounds of one decode and render.
 *
 * @param maxPixels   width x height above which an image is refused on its header, before any pixel is decoded
 * @param timeout     how long one variant may take, for callers that turn it into a deadline
 * @param webpQuality lossy WebP quality, 0..1 (libwebp's 0..100 divided by 100)
 * @param jpegQuality JPEG quality, 0..1 (the JDK encoder's quantisation scale)
 */
public record CodecLimits(long maxPixels, Duration timeout, float webpQuality, float jpegQuality) {

    /** What we measured as a good size/quality balance for 160..1024 px variants (see the package's tests). */
    public static final float DEFAULT_WEBP_QUALITY = 0.80f;
    public static final float DEFAULT_JPEG_QUALITY = 0.82f;

    public CodecLimits {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        if (!(webpQuality >= 0 && webpQuality <= 1) || !(jpegQuality >= 0 && jpegQuality <= 1)) {
            throw new IllegalArgumentException("qualities are between 0 and 1");
        }
    }
}
