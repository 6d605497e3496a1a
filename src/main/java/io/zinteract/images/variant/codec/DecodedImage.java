package io.zinteract.images.variant.codec;

import java.awt.image.BufferedImage;

/**
 * A decoded original, ready to render: EXIF orientation applied, colours in sRGB, and {@code image} of type
 * {@link BufferedImage#TYPE_INT_ARGB} when {@code alpha} (some pixel is not opaque), else {@link BufferedImage#TYPE_INT_RGB}.
 */
public record DecodedImage(BufferedImage image, int width, int height, boolean alpha) {
}
