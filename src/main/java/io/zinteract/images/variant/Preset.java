package io.zinteract.images.variant;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** A named width a variant is made at. */
public record Preset(String name, int width) {

    static final int MIN_WIDTH = 16;
    static final int MAX_WIDTH = 4096;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    /** The presets of a {@code name:width,...} list, in order; a malformed list names its first bad entry. */
    static Map<String, Preset> parseAll(String list) {
        Map<String, Preset> presets = new LinkedHashMap<>();
        for (String entry : list.split(",")) {
            String e = entry.trim();
            int colon = e.indexOf(':');
            String name = colon < 0 ? e : e.substring(0, colon).trim();
            if (colon < 0 || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("VARIANTS_PRESETS entries are name:width with a name of 1 to 32 "
                        + "letters, digits, _ or -; got '" + e + "'");
            }
            int width;
            try {
                width = Integer.parseInt(e.substring(colon + 1).trim());
            } catch (NumberFormatException notANumber) {
                width = -1;
            }
            if (width < MIN_WIDTH || width > MAX_WIDTH) {
                throw new IllegalArgumentException("VARIANTS_PRESETS widths are " + MIN_WIDTH + " to " + MAX_WIDTH
                        + " pixels; got '" + e + "'");
            }
            if (presets.put(name, new Preset(name, width)) != null) {
                throw new IllegalArgumentException("VARIANTS_PRESETS names preset '" + name + "' twice");
            }
        }
        return presets;
    }
}
