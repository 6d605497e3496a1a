package io.zinteract.images.variant.codec;

import java.awt.Graphics2D;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ColorConvertOp;
import java.awt.image.DataBufferInt;
import java.awt.image.WritableRaster;

/** Turns whatever a reader returned into the codec's one layout: sRGB, packed int RGB or ARGB, upright. */
final class Pixels {

    private Pixels() {
    }

    /**
     * sRGB INT_RGB or INT_ARGB. A non-sRGB colour space the reader kept (an ICC profile it attached) is converted;
     * {@code icc}, a profile the reader ignored, is applied to pixels it returned as sRGB. Gray images are copied
     * channel for channel: a gray JPEG or PNG without a profile means sRGB gray, not the JDK's linear CS_GRAY.
     */
    static BufferedImage normalize(BufferedImage src, byte[] icc) {
        ColorSpace cs = src.getColorModel().getColorSpace();
        boolean alpha = src.getColorModel().hasAlpha();
        int type = alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB;
        BufferedImage out;
        if (cs.isCS_sRGB() || cs == ColorSpace.getInstance(ColorSpace.CS_GRAY)) {
            out = src.getType() == type ? src : copy(src, type);
        } else {
            out = new BufferedImage(src.getWidth(), src.getHeight(), type);
            new ColorConvertOp(null).filter(src, out);
        }
        if (icc != null && out.getColorModel().getColorSpace().isCS_sRGB()) {
            applyProfile(out, icc);
        }
        return out;
    }

    /** Converts the RGB bands of {@code img} in place from the embedded profile to sRGB; a profile that fails is ignored. */
    private static void applyProfile(BufferedImage img, byte[] icc) {
        ICC_ColorSpace from;
        try {
            ICC_Profile profile = ICC_Profile.getInstance(icc);
            if (profile.getColorSpaceType() != ColorSpace.TYPE_RGB) {
                return; // a gray PNG's profile: the reader already expanded gray to sRGB values
            }
            from = new ICC_ColorSpace(profile);
        } catch (IllegalArgumentException e) {
            return;
        }
        if (from.isCS_sRGB()) {
            return;
        }
        WritableRaster rgb = img.getRaster().createWritableChild(0, 0, img.getWidth(), img.getHeight(), 0, 0, new int[] {0, 1, 2});
        new ColorConvertOp(from, ColorSpace.getInstance(ColorSpace.CS_sRGB), null).filter(rgb, rgb);
    }

    static BufferedImage copy(BufferedImage src, int type) {
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), type);
        Graphics2D g = out.createGraphics();
        try {
            g.drawImage(src, 0, 0, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Whether some pixel of an INT_ARGB image is not fully opaque. */
    static boolean anyTransparent(BufferedImage img) {
        if (img.getType() != BufferedImage.TYPE_INT_ARGB) {
            return false;
        }
        for (int p : ((DataBufferInt) img.getRaster().getDataBuffer()).getData()) {
            if (p >>> 24 != 0xFF) {
                return true;
            }
        }
        return false;
    }

    /** An opaque INT_RGB copy with the given background under any transparency. */
    static BufferedImage flatten(BufferedImage src, java.awt.Color background) {
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(background);
            g.fillRect(0, 0, src.getWidth(), src.getHeight());
            g.drawImage(src, 0, 0, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Applies EXIF orientation 1..8 (TIFF 6.0 tag 274) to an INT image, answering a new image when it is not 1. */
    static BufferedImage orient(BufferedImage src, int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return src;
        }
        int w = src.getWidth();
        int h = src.getHeight();
        boolean swap = orientation >= 5;
        BufferedImage out = new BufferedImage(swap ? h : w, swap ? w : h, src.getType());
        int[] s = ((DataBufferInt) src.getRaster().getDataBuffer()).getData();
        int[] d = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        int dw = out.getWidth();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int dx;
                int dy;
                switch (orientation) {
                    case 2 -> { dx = w - 1 - x; dy = y; }
                    case 3 -> { dx = w - 1 - x; dy = h - 1 - y; }
                    case 4 -> { dx = x; dy = h - 1 - y; }
                    case 5 -> { dx = y; dy = x; }
                    case 6 -> { dx = h - 1 - y; dy = x; }
                    case 7 -> { dx = h - 1 - y; dy = w - 1 - x; }
                    default -> { dx = y; dy = w - 1 - x; }
                }
                d[dy * dw + dx] = s[y * w + x];
            }
        }
        return out;
    }
}
