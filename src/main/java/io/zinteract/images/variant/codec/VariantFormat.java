package io.zinteract.images.variant.codec;

import java.util.Locale;
import java.util.Optional;

/** The formats a variant is written in. */
public enum VariantFormat {
    WEBP("image/webp", "webp", "webp"),
    JPEG("image/jpeg", "jpg", "jpeg"),
    PNG("image/png", "png", "png");

    private final String mimeType;
    private final String extension;
    private final String wire;

    VariantFormat(String mimeType, String extension, String wire) {
        this.mimeType = mimeType;
        this.extension = extension;
        this.wire = wire;
    }

    public String mimeType() {
        return mimeType;
    }

    /** File name extension without the dot: {@code webp}, {@code jpg}, {@code png}. */
    public String extension() {
        return extension;
    }

    /** The name in URLs and query parameters: {@code webp}, {@code jpeg}, {@code png}. */
    public String wire() {
        return wire;
    }

    /** {@code webp}, {@code jpeg} (or {@code jpg}) and {@code png}, in any case; empty for anything else. */
    public static Optional<VariantFormat> parse(String wire) {
        if (wire == null) {
            return Optional.empty();
        }
        return switch (wire.trim().toLowerCase(Locale.ROOT)) {
            case "webp" -> Optional.of(WEBP);
            case "jpeg", "jpg" -> Optional.of(JPEG);
            case "png" -> Optional.of(PNG);
            default -> Optional.empty();
        };
    }
}
