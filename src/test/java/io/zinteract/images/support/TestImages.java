package io.zinteract.images.support;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;

/** Real images made on the fly (PNG, JPEG and GIF through ImageIO; WebP and AVIF containers by hand). */
public final class TestImages {

    private TestImages() {
    }

    public static byte[] png(int width, int height, long seed) {
        return encode("png", width, height, seed);
    }

    public static byte[] jpeg(int width, int height, long seed) {
        return encode("jpg", width, height, seed);
    }

    /**
     * A lossless WebP file: RIFF header and one VP8L chunk whose header declares 16x16, then seeded filler (not a
     * decodable bitstream, but every structure the service checks is right: signature, dimensions, sizes, padding).
     */
    public static byte[] webp(int payloadBytes, long seed) {
        byte[] payload = new byte[Math.max(payloadBytes, 5)];
        new Random(seed).nextBytes(payload);
        payload[0] = 0x2F;
        int bits = 15 | (15 << 14);
        for (int i = 0; i < 4; i++) {
            payload[1 + i] = (byte) (bits >>> (8 * i));
        }
        return riff("VP8L", payload);
    }

    /** A RIFF/WEBP file holding one chunk, with the pad byte an odd-sized chunk needs. */
    public static byte[] riff(String fourCc, byte[] payload) {
        int pad = payload.length & 1;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("RIFF".getBytes());
        writeLe(out, 4 + 8 + payload.length + pad);
        out.writeBytes("WEBP".getBytes());
        out.writeBytes(fourCc.getBytes());
        writeLe(out, payload.length);
        out.writeBytes(payload);
        if (pad == 1) {
            out.write(0);
        }
        return out.toByteArray();
    }

    public static byte[] gif() {
        return encode("gif", 8, 8, 3);
    }

    /** An AVIF file of 16x16 pixels, {@code totalBytes} long (at least its boxes' size). */
    public static byte[] avif(int totalBytes) {
        return avif(16, 16, totalBytes);
    }

    /**
     * An AVIF container: ftyp (avif), meta with iprp/ipco/ispe declaring {@code width}x{@code height}, and an mdat of
     * filler up to {@code totalBytes}. Not decodable AV1, but every box the service checks is right.
     */
    public static byte[] avif(long width, long height, int totalBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] ftyp = box("ftyp", concat("avif".getBytes(), new byte[4], "avifmif1miaf".getBytes()));
        byte[] ispe = box("ispe", concat(new byte[4], be32(width), be32(height)));
        byte[] meta = box("meta", concat(new byte[4], box("iprp", box("ipco", ispe))));
        out.writeBytes(ftyp);
        out.writeBytes(meta);
        int mdatPayload = Math.max(8, totalBytes - ftyp.length - meta.length - 8);
        byte[] filler = new byte[mdatPayload];
        new Random(totalBytes).nextBytes(filler);
        out.writeBytes(box("mdat", filler));
        return out.toByteArray();
    }

    public static byte[] box(String type, byte[] payload) {
        return concat(be32(8 + payload.length), type.getBytes(), payload);
    }

    public static byte[] be32(long value) {
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] encode(String format, int width, int height, long seed) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, new Color(random.nextInt(256), (x * 7) & 0xFF, (y * 13) & 0xFF).getRGB());
            }
        }
        return write(image, format);
    }

    /** {@code image} in {@code format} ("png", "jpg") by the JDK's writers. */
    public static byte[] write(BufferedImage image, String format) {
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
