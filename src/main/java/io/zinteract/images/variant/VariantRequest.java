package io.zinteract.images.variant;

import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.variant.codec.VariantFormat;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@code GET /api/images/{id}?variant=&format=} asks for: a preset by name and a format. {@code format} null
 * means "whichever of JPEG or PNG the image needs" (PNG when it has transparency), which is what {@code format=auto}
 * gives a client whose {@code Accept} does not name WebP.
 */
public record VariantRequest(Preset preset, VariantFormat format) {

    /** Formats a client may name; {@code auto} is the default. */
    static final String FORMATS = "auto, webp, jpeg, png";

    /**
     * Resolves the query against the presets and the client's {@code Accept}; unknown names, raw sizes and bad formats
     * are the client's 400. WebP is chosen only when {@code Accept} names {@code image/webp} with a non-zero q: a
     * wildcard is no promise that a client decodes WebP (Cloudflare and imgproxy read it the same way).
     */
    public static VariantRequest resolve(VariantSettings settings, String variant, String format, String accept) {
        if (!settings.enabled()) {
            throw new ApiException(ErrorCode.INVALID_VARIANT, "variants are switched off on this service (VARIANTS_ENABLED)");
        }
        if (variant == null || variant.isEmpty()) {
            throw new ApiException(ErrorCode.INVALID_VARIANT, "format applies to a variant: add variant=<preset>, one of "
                    + names(settings.presets()));
        }
        Preset preset = settings.preset(variant).orElseThrow(() -> new ApiException(ErrorCode.INVALID_VARIANT,
                "unknown variant '" + printable(variant) + "'; presets are " + names(settings.presets())
                        + " (arbitrary sizes are not offered)"));
        String f = format == null || format.isEmpty() ? "auto" : format.toLowerCase(Locale.ROOT);
        if (f.equals("auto")) {
            return new VariantRequest(preset, acceptsWebp(accept) ? VariantFormat.WEBP : null);
        }
        Optional<VariantFormat> explicit = VariantFormat.parse(f);
        return new VariantRequest(preset, explicit.orElseThrow(() -> new ApiException(ErrorCode.INVALID_VARIANT,
                "unknown format '" + printable(format) + "'; formats are " + FORMATS)));
    }

    /** Whether an {@code Accept} header names {@code image/webp} with a q above 0. */
    static boolean acceptsWebp(String accept) {
        if (accept == null) {
            return false;
        }
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            if (!parts[0].trim().equalsIgnoreCase("image/webp")) {
                continue;
            }
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String param = parts[i].trim();
                if (param.regionMatches(true, 0, "q=", 0, 2)) {
                    try {
                        q = Double.parseDouble(param.substring(2).trim());
                    } catch (NumberFormatException malformed) {
                        q = 0;
                    }
                }
            }
            return q > 0;
        }
        return false;
    }

    private static String names(Map<String, Preset> presets) {
        return String.join(", ", presets.keySet());
    }

    /** Echoes a client's value safely: bounded, printable ASCII only. */
    private static String printable(String value) {
        String cut = value.length() > 40 ? value.substring(0, 40) + "..." : value;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
