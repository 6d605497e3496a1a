package io.zinteract.images.support;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Images with real structure for variant tests, and readers of the containers' metadata blocks. */
public final class VariantImages {

    private VariantImages() {
    }

    /** A persona-like picture: a gradient background, a shaded head and shoulders, optionally on a transparent ground. */
    public static BufferedImage portrait(int width, int height, long seed, boolean transparent) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(width, height,
                transparent ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        if (!transparent) {
            g.setPaint(new GradientPaint(0, 0, new Color(random.nextInt(0xFFFFFF)), width, height,
                    new Color(random.nextInt(0xFFFFFF))));
            g.fillRect(0, 0, width, height);
        }
        g.setColor(new Color(80 + random.nextInt(100), 60 + random.nextInt(60), 50 + random.nextInt(50)));
        g.fillOval(width / 4, height / 2, width / 2, height);
        g.setPaint(new GradientPaint(width / 3f, height / 6f, new Color(240, 200, 170), width * 2 / 3f, height / 2f,
                new Color(170, 120, 100)));
        g.fillOval(width * 3 / 8, height / 8, width / 4, height * 2 / 5);
        g.dispose();
        return image;
    }

    public static byte[] png(BufferedImage image) {
        return TestImages.write(image, "png");
    }

    public static byte[] jpeg(BufferedImage image) {
        return TestImages.write(image, "jpg");
    }

    /**
     * The JPEG of {@code image} with an EXIF block (APP1) that sets Orientation 6 (turn 90 degrees clockwise to view)
     * and carries a GPS position, as phone cameras write it.
     */
    public static byte[] jpegWithGpsExif(BufferedImage image) {
        byte[] plain = jpeg(image);
        ByteArrayOutputStream tiff = new ByteArrayOutputStream();
        tiff.writeBytes(new byte[] { 'M', 'M', 0, 42, 0, 0, 0, 8 });
        // IFD0 at 8: two entries (Orientation, GPS IFD pointer), then no next IFD; the GPS IFD follows at 38.
        be16(tiff, 2);
        entry(tiff, 0x0112, 3, 1, 6 << 16);
        entry(tiff, 0x8825, 4, 1, 38);
        be32(tiff, 0);
        // GPS IFD at 38: latitude ref "N" and latitude (three rationals at 68).
        be16(tiff, 2);
        entry(tiff, 0x0001, 2, 2, 'N' << 24);
        entry(tiff, 0x0002, 5, 3, 68);
        be32(tiff, 0);
        for (int v : new int[] { 52, 1, 31, 1, 1200, 100 }) {
            be32(tiff, v);
        }
        byte[] exif = concat("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1), tiff.toByteArray());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xFF);
        out.write(0xD8);
        out.write(0xFF);
        out.write(0xE1);
        be16(out, exif.length + 2);
        out.writeBytes(exif);
        out.write(plain, 2, plain.length - 2);
        return out.toByteArray();
    }

    /** The markers of a JPEG's segments before its scan, e.g. 0xE0 for APP0, 0xE1 for APP1 (EXIF, XMP). */
    public static List<Integer> jpegSegments(byte[] jpeg) {
        List<Integer> markers = new ArrayList<>();
        int pos = 2;
        while (pos + 4 <= jpeg.length && (jpeg[pos] & 0xFF) == 0xFF) {
            int marker = jpeg[pos + 1] & 0xFF;
            markers.add(marker);
            if (marker == 0xDA) {
                break;
            }
            pos += 2 + (((jpeg[pos + 2] & 0xFF) << 8) | (jpeg[pos + 3] & 0xFF));
        }
        return markers;
    }

    /** The FourCCs of a WebP file's chunks (VP8, VP8L, VP8X, ALPH; EXIF and XMP would carry metadata). */
    public static List<String> webpChunks(byte[] webp) {
        List<String> chunks = new ArrayList<>();
        int pos = 12;
        while (pos + 8 <= webp.length) {
            chunks.add(new String(webp, pos, 4, StandardCharsets.ISO_8859_1));
            int size = (webp[pos + 4] & 0xFF) | (webp[pos + 5] & 0xFF) << 8 | (webp[pos + 6] & 0xFF) << 16
                    | (webp[pos + 7] & 0xFF) << 24;
            pos += 8 + size + (size & 1);
        }
        return chunks;
    }

    /** The PNG's chunk types (eXIf, iTXt, tEXt and iCCP would carry metadata). */
    public static List<String> pngChunks(byte[] png) {
        List<String> chunks = new ArrayList<>();
        int pos = 8;
        while (pos + 8 <= png.length) {
            int size = ((png[pos] & 0xFF) << 24) | ((png[pos + 1] & 0xFF) << 16) | ((png[pos + 2] & 0xFF) << 8)
                    | (png[pos + 3] & 0xFF);
            chunks.add(new String(png, pos + 4, 4, StandardCharsets.ISO_8859_1));
            pos += 12 + size;
        }
        return chunks;
    }

    public static boolean isWebp(byte[] bytes) {
        return bytes.length > 12 && new String(bytes, 0, 4, StandardCharsets.ISO_8859_1).equals("RIFF")
                && new String(bytes, 8, 4, StandardCharsets.ISO_8859_1).equals("WEBP");
    }

    public static boolean isJpeg(byte[] bytes) {
        return bytes.length > 3 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8;
    }

    /** Decodes any format the service writes (WebP through the ImageIO plugin on the test class path). */
    public static BufferedImage decode(byte[] bytes) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            if (image == null) {
                throw new IllegalStateException("no ImageIO reader for these bytes");
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void entry(ByteArrayOutputStream out, int tag, int type, int count, int value) {
        be16(out, tag);
        be16(out, type);
        be32(out, count);
        be32(out, value);
    }

    private static void be16(ByteArrayOutputStream out, int v) {
        out.write((v >> 8) & 0xFF);
        out.write(v & 0xFF);
    }

    private static void be32(ByteArrayOutputStream out, int v) {
        be16(out, v >>> 16);
        be16(out, v & 0xFFFF);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
