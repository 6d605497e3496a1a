package io.zinteract.images.variant.codec;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Images with structure (gradients, shapes, a marked corner) and the JDK's own encoders to write them. */
final class TestImages {

    static final Color CORNER = new Color(220, 20, 30);

    private TestImages() {
    }

    /** A scene: a diagonal blue-to-yellow gradient, a green disc, dark stripes and a red top-left corner block. */
    static BufferedImage scene(int w, int h, int type) {
        BufferedImage img = new BufferedImage(w, h, type);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new GradientPaint(0, 0, new Color(30, 60, 200), w, h, new Color(250, 230, 40)));
        g.fillRect(0, 0, w, h);
        g.setColor(new Color(40, 170, 80));
        g.fillOval(w / 3, h / 4, w / 3, h / 2);
        g.setColor(new Color(20, 20, 20));
        g.setStroke(new BasicStroke(Math.max(1, w / 100f)));
        for (int x = w / 10; x < w; x += w / 8) {
            g.drawLine(x, h / 2, x + w / 20, h - 1);
        }
        g.setColor(CORNER);
        g.fillRect(0, 0, w / 8, h / 8);
        g.dispose();
        return img;
    }

    /** The scene with transparent margins and a half-transparent band: alpha that varies. */
    static BufferedImage sceneWithAlpha(int w, int h) {
        BufferedImage img = scene(w, h, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = img.createGraphics();
        g.setComposite(java.awt.AlphaComposite.Clear);
        g.fillRect(0, 0, w, h / 5);
        g.setComposite(java.awt.AlphaComposite.getInstance(java.awt.AlphaComposite.SRC, 0.5f));
        g.setColor(new Color(255, 255, 255, 128));
        g.fillRect(0, h - h / 5, w, h / 5);
        g.dispose();
        return img;
    }

    static byte[] png(BufferedImage img) {
        return write(img, "png", -1);
    }

    static byte[] jpeg(BufferedImage img, float quality) {
        return write(img, "jpeg", quality);
    }

    /** Writes with the JDK's own writer (com.sun.*), not TwelveMonkeys'. */
    static byte[] write(BufferedImage img, String format, float quality) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
        ImageWriter writer = null;
        while (writers.hasNext()) {
            ImageWriter w = writers.next();
            if (w.getClass().getName().startsWith("com.sun.")) {
                writer = w;
            }
        }
        try {
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (quality >= 0) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(quality);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
                writer.setOutput(stream);
                writer.write(null, new IIOImage(img, null, null), param);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
    }

    /** Reads with the reader whose class name starts with {@code prefix} (two WebP readers are registered). */
    static BufferedImage read(byte[] bytes, String format, String prefix) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
        while (readers.hasNext()) {
            ImageReader reader = readers.next();
            if (!reader.getClass().getName().startsWith(prefix)) {
                continue;
            }
            try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
                reader.setInput(in);
                return reader.read(0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                reader.dispose();
            }
        }
        throw new AssertionError("no " + format + " reader " + prefix);
    }

    /** Whether {@code needle} occurs in {@code hay}. */
    static boolean contains(byte[] hay, String needle) {
        byte[] n = needle.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        outer:
        for (int i = 0; i + n.length <= hay.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (hay[i + j] != n[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Channel-wise distance between two RGB colours. */
    static int distance(int rgb1, int rgb2) {
        return Math.max(Math.abs(((rgb1 >> 16) & 0xFF) - ((rgb2 >> 16) & 0xFF)),
                Math.max(Math.abs(((rgb1 >> 8) & 0xFF) - ((rgb2 >> 8) & 0xFF)), Math.abs((rgb1 & 0xFF) - (rgb2 & 0xFF))));
    }
}
