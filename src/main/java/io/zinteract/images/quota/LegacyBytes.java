package io.zinteract.images.quota;

/**
 * The decoded size of a legacy {@code image_data} value without decoding it: plain base64 or a {@code data:} URL,
 * possibly with line breaks, as the legacy app stored it. Each 4 base64 characters are 3 bytes; padding and
 * whitespace are no bytes.
 */
final class LegacyBytes {

    private LegacyBytes() {
    }

    static long decodedLength(String stored) {
        if (stored == null) {
            return 0;
        }
        int start = 0;
        if (stored.startsWith("data:")) {
            int comma = stored.indexOf(',');
            start = comma < 0 ? stored.length() : comma + 1;
        }
        long chars = 0;
        for (int i = start; i < stored.length(); i++) {
            char ch = stored.charAt(i);
            if (ch != '=' && !Character.isWhitespace(ch)) {
                chars++;
            }
        }
        return chars * 3 / 4;
    }
}
