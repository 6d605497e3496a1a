package io.zinteract.images.support;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;

/** Real images made on the fly (PNG and JPEG through ImageIO; WebP, GIF and AVIF headers by hand). */
public final class TestImages {

    private TestImages() {
    }

    public static byte[] png(int width, int height, long seed) {
        return encode("png", width, height, seed);
    }

    public static byte[] jpeg(int width, int height, long seed) {
        return encode("jpg", width, height, seed);
    }

    /** A minimal lossless WebP file: RIFF header and a VP8L chunk; enough for sniffing and round-trips. */
    public static byte[] webp(int payloadBytes, long seed) {
        byte[] payload = new byte[payloadBytes];
        new Random(seed).nextBytes(payload);
        int chunkSize = payloadBytes;
        int riffSize = 4 + 8 + chunkSize;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("RIFF".getBytes());
        writeLe(out, riffSize);
        out.writeBytes("WEBP".getBytes());
        out.writeBytes("VP8L".getBytes());
        writeLe(out, chunkSize);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    public static byte[] gif() {
        return encode("gif", 8, 8, 3);
    }

    /** The start of an AVIF file: an ftyp box with major brand avif, then filler. */
    public static byte[] avif(int totalBytes) {
        byte[] bytes = new byte[Math.max(totalBytes, 32)];
        byte[] head = {0, 0, 0, 0x1c, 'f', 't', 'y', 'p', 'a', 'v', 'i', 'f', 0, 0, 0, 0, 'a', 'v', 'i', 'f', 'm', 'i', 'f', '1'};
        System.arraycopy(head, 0, bytes, 0, head.length);
        return bytes;
    }

    private static byte[] encode(String format, int width, int height, long seed) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, new Color(random.nextInt(256), (x * 7) & 0xFF, (y * 13) & 0xFF).getRGB());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeLe(ByteArrayOutputStream out, int value) {
        out.write(value & 0xFF);
        out.write((value >> 8) & 0xFF);
        out.write((value >> 16) & 0xFF);
        out.write((value >> 24) & 0xFF);
    }
}
