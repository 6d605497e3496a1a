package io.zinteract.images.variant.codec;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import net.coobird.thumbnailator.Thumbnails;

/** Thumbnailator's default (progressive bilinear, quality rendering), kept apart so the bench runs without it. */
final class ThumbnailatorResize {

    private ThumbnailatorResize() {
    }

    static BufferedImage resize(BufferedImage src, int w, int h) {
        try {
            return Thumbnails.of(src).size(w, h).asBufferedImage();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
