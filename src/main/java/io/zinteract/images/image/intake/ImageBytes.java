package io.zinteract.images.image.intake;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/** Decoding of stored base64 and the digests every image carries. */
public final class ImageBytes {

    private ImageBytes() {
    }

    /**
     * Decodes {@code image_data} as the legacy app stored it: plain base64 or a {@code data:} URL, possibly with line
     * breaks. Empty when it is not valid base64, so corrupt rows are reported rather than served as garbage.
     */
    public static Optional<byte[]> decodeBase64(String stored) {
        if (stored == null) {
            return Optional.empty();
        }
        String payload = stored;
        if (payload.startsWith("data:")) {
            int comma = payload.indexOf(',');
            if (comma < 0 || !payload.substring(0, comma).endsWith(";base64")) {
                return Optional.empty();
            }
            payload = payload.substring(comma + 1);
        }
        // Nearly every row is one unbroken line: decoded as it is, without a scan or a compacted copy of ~270 KB. The
        // rare line-broken or corrupt value fails that and is tried once more without its whitespace.
        if (!payload.isEmpty()) {
            try {
                return Optional.of(Base64.getDecoder().decode(payload));
            } catch (IllegalArgumentException e) {
                // not one clean line; see below
            }
        }
        String compact = withoutWhitespace(payload);
        if (compact.isEmpty() || compact.length() == payload.length()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Base64.getDecoder().decode(compact));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String withoutWhitespace(String s) {
        StringBuilder compact = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (!Character.isWhitespace(ch)) {
                compact.append(ch);
            }
        }
        return compact.toString();
    }

    public static String encodeBase64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    public static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(digest("SHA-256", bytes));
    }

    /** SHA-256 of a file, read in small pieces: a file of any size costs one buffer of memory. */
    public static String sha256Hex(Path file) {
        MessageDigest sha = digest("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                sha.update(buffer, 0, read);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The first {@code n} bytes of a file (fewer when it is shorter), enough to recognise its type. */
    public static byte[] head(Path file, int n) {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] md5(byte[] bytes) {
        return digest("MD5", bytes);
    }

    private static byte[] digest(String algorithm, byte[] bytes) {
        return digest(algorithm).digest(bytes);
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every JRE", e);
        }
    }
}
