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
 * Large images for multipart tests: a real PNG (so the service recognises the type) followed by seeded filler up to
 * the wanted size. The service stores bytes as they are, so the filler only has to be reproducible.
 */
public final class BigImages {

    private BigImages() {
    }

    /** {@code size} bytes in memory; for sizes tests can hold (tens of MiB). */
    public static byte[] png(int size, long seed) {
        byte[] head = TestImages.png(32, 32, seed);
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        System.arraycopy(head, 0, bytes, 0, head.length);
        return bytes;
    }

    /** Writes {@code size} bytes to {@code file} without holding them, and answers their SHA-256 (hex). */
    public static String writePng(Path file, long size, long seed) {
        MessageDigest sha = sha256();
        try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 20), sha)) {
            byte[] head = TestImages.png(32, 32, seed);
            out.write(head);
            Random random = new Random(seed);
            byte[] chunk = new byte[1 << 20];
            for (long written = head.length; written < size; written += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk, 0, (int) Math.min(chunk.length, size - written));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
