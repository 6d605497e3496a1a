package io.zinteract.images.variant.codec;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.time.Instant;

/**
 * Progressive bilinear downscaling: halve while the target is at most half the current size, then one last bilinear
 * step. A bilinear halving averages exactly each 2x2 block, so the chain is a box filter without the aliasing that one
 * big bilinear step leaves. Images with alpha are scaled premultiplied, so transparent pixels' colours do not bleed
 * into the edges. Measured against Thumbnailator 0.4.21, which does the same (see the report of issue 12).
 */
final class Downscale {

    private Downscale() {
    }

    /** {@code src} at {@code width} x {@code height}; never larger than {@code src}. */
    static BufferedImage to(BufferedImage src, int width, int height, Instant deadline) {
        if (width >= src.getWidth() && height >= src.getHeight()) {
            return src;
        }
        boolean alpha = src.getColorModel().hasAlpha();
        int stepType = alpha ? BufferedImage.TYPE_INT_ARGB_PRE : BufferedImage.TYPE_INT_RGB;
        BufferedImage current = src;
        int w = src.getWidth();
        int h = src.getHeight();
        while (w / 2 >= width && h / 2 >= height) {
            w /= 2;
            h /= 2;
            current = draw(current, w, h, stepType);
            VariantCodec.checkDeadline(deadline, "resizing");
        }
        if (w != width || h != height) {
            current = draw(current, width, height, stepType);
        }
        return current.getType() == src.getType() ? current : Pixels.copy(current, src.getType());
    }

    private static BufferedImage draw(BufferedImage src, int w, int h, int type) {
        BufferedImage out = new BufferedImage(w, h, type);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(src, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}
