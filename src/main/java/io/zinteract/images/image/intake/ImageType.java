package io.zinteract.images.image.intake;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/** The image formats the service accepts, recognised from their first bytes rather than from what a client says. */
public enum ImageType {
    JPEG("image/jpeg", "jpg"),
    PNG("image/png", "png"),
    WEBP("image/webp", "webp"),
    GIF("image/gif", "gif"),
    AVIF("image/avif", "avif");

    /** Bytes needed to recognise every format. */
    public static final int SNIFF_BYTES = 32;

    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private final String mimeType;
    private final String extension;

    ImageType(String mimeType, String extension) {
        this.mimeType = mimeType;
        this.extension = extension;
    }

    public String mimeType() {
        return mimeType;
    }

    public String extension() {
        return extension;
    }

    /** The format whose signature starts {@code head}, if any. */
    public static Optional<ImageType> sniff(byte[] head) {
        return sniff(head, Math.min(head.length, SNIFF_BYTES));
    }

    public static Optional<ImageType> sniff(byte[] head, int length) {
        if (length >= 3 && (head[0] & 0xFF) == 0xFF && (head[1] & 0xFF) == 0xD8 && (head[2] & 0xFF) == 0xFF) {
            return Optional.of(JPEG);
        }
        if (length >= 8 && Arrays.equals(head, 0, 8, PNG_MAGIC, 0, 8)) {
            return Optional.of(PNG);
        }
        if (length >= 6 && (ascii(head, 0, "GIF87a") || ascii(head, 0, "GIF89a"))) {
            return Optional.of(GIF);
        }
        if (length >= 12 && ascii(head, 0, "RIFF") && ascii(head, 8, "WEBP")) {
            return Optional.of(WEBP);
        }
        if (length >= 12 && ascii(head, 4, "ftyp") && isAvifBrandBox(head, length)) {
            return Optional.of(AVIF);
        }
        return Optional.empty();
    }

    /**
     * Maps a declared content type onto a format; {@code image/jpg} and {@code image/pjpeg} are accepted spellings
     * of JPEG and parameters such as {@code ;charset} are ignored.
     */
    public static Optional<ImageType> fromMimeType(String declared) {
        if (declared == null) {
            return Optional.empty();
        }
        String base = declared.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        if (base.equals("image/jpg") || base.equals("image/pjpeg")) {
            return Optional.of(JPEG);
        }
        for (ImageType type : values()) {
            if (type.mimeType.equals(base)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    /** An ISO-BMFF file is AVIF when its major brand or one of the compatible brands in the sniffed bytes is avif/avis. */
    private static boolean isAvifBrandBox(byte[] head, int length) {
        long boxSize = ((head[0] & 0xFFL) << 24) | ((head[1] & 0xFFL) << 16) | ((head[2] & 0xFFL) << 8) | (head[3] & 0xFFL);
        int end = (int) Math.min(Math.min(boxSize, length), SNIFF_BYTES);
        for (int offset = 8; offset + 4 <= end; offset += 4) {
            if (offset == 12) {
                continue; // minor version, not a brand
            }
            if (ascii(head, offset, "avif") || ascii(head, offset, "avis")) {
                return true;
            }
        }
        return false;
    }

    private static boolean ascii(byte[] bytes, int offset, String expected) {
        byte[] want = expected.getBytes(StandardCharsets.US_ASCII);
        return bytes.length >= offset + want.length && Arrays.equals(bytes, offset, offset + want.length, want, 0, want.length);
    }
}
