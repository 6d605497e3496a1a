package io.zinteract.images.support;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/**
 * Large images for multipart tests: a real PNG (so the service recognises the type and its structure checks pass)
 * carrying a chunk of seeded filler up to the wanted size. The filler only has to be reproducible.
 */
public final class BigImages {

    private BigImages() {
    }

    /** {@code size} bytes in memory; for sizes tests can hold (tens of MiB). */
    public static byte[] png(int size, long seed) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(size);
        try {
            write(out, size, seed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes {@code size} bytes to {@code file} without holding them, and answers their SHA-256 (hex). */
    public static String writePng(Path file, long size, long seed) {
        MessageDigest sha = sha256();
        try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 20), sha)) {
            write(out, size, seed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * A real 32x32 PNG with a private ancillary chunk ({@code fiLl}) of seeded filler after its IHDR, sized so the
     * whole file is {@code size} bytes: a complete PNG (IEND last) that decoders skip the filler of.
     */
    private static void write(OutputStream out, long size, long seed) throws IOException {
        byte[] small = TestImages.png(32, 32, seed);
        long filler = size - small.length - 12;
        if (filler < 0 || filler > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("size " + size + " cannot hold one filler chunk");
        }
        out.write(small, 0, 33); // signature and IHDR
        byte[] type = "fiLl".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.write(TestImages.be32(filler));
        out.write(type);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(type);
        Random random = new Random(seed);
        byte[] chunk = new byte[1 << 20];
        for (long written = 0; written < filler; written += chunk.length) {
            random.nextBytes(chunk);
            int n = (int) Math.min(chunk.length, filler - written);
            out.write(chunk, 0, n);
            crc.update(chunk, 0, n);
        }
        out.write(TestImages.be32(crc.getValue()));
        out.write(small, 33, small.length - 33);
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
