package io.zinteract.images.image;

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
        StringBuilder compact = new StringBuilder(payload.length());
        for (int i = 0; i < payload.length(); i++) {
            char ch = payload.charAt(i);
            if (!Character.isWhitespace(ch)) {
                compact.append(ch);
            }
        }
        if (compact.length() == 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(Base64.getDecoder().decode(compact.toString()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public static String encodeBase64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    public static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(digest("SHA-256", bytes));
    }

    public static byte[] md5(byte[] bytes) {
        return digest("MD5", bytes);
    }

    private static byte[] digest(String algorithm, byte[] bytes) {
        try {
            return MessageDigest.getInstance(algorithm).digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every JRE", e);
        }
    }
}
