package io.zinteract.images.variant.codec;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * A stand-in for the service's generated art: gradients, shapes, soft texture and film grain, so that the PNG is as
 * large as theirs (about 2 MB at 1792x1024) rather than the few kilobytes a flat test scene compresses to.
 */
final class TexturedScene {

    private TexturedScene() {
    }

    static byte[] png(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new GradientPaint(0, 0, new Color(30, 50, 120), w, h, new Color(240, 190, 120)));
        g.fillRect(0, 0, w, h);
        for (int i = 0; i < 40; i++) {
            g.setColor(new Color((i * 53) % 256, (i * 97) % 256, (i * 31) % 256, 120));
            g.fillOval((i * 211) % w, (i * 137) % h, 60 + (i * 17) % 300, 60 + (i * 29) % 250);
        }
        g.dispose();
        long seed = 42;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                seed = seed * 6364136223846793005L + 1442695040888963407L;
                int grain = (int) ((seed >>> 60) - 8) / 2;
                int wave = (int) (10 * Math.sin(x / 23.0) * Math.cos(y / 17.0));
                int p = img.getRGB(x, y);
                int r = clamp(((p >> 16) & 0xFF) + grain + wave);
                int gr = clamp(((p >> 8) & 0xFF) + grain + wave);
                int b = clamp((p & 0xFF) + grain - wave);
                img.setRGB(x, y, r << 16 | gr << 8 | b);
            }
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
