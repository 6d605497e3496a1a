package io.zinteract.images.image.data;

import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The rules for ids. Ids this service makes or takes for new images (persona, session, participant, table, job,
 * upload) match {@code [A-Za-z0-9_-]{1,64}}. Ids that name an existing image are looked up as they are: legacy rows
 * carry whatever z-interact wrote ({@code coll.1}, Unicode, slashes), so any text up to {@link #MAX_LOOKUP_BYTES}
 * without control characters is a valid lookup; the database says whether it exists.
 */
public final class Ids {

    /** Bounds a looked-up id: far above any id z-interact writes, far below what would load the database. */
    public static final int MAX_LOOKUP_BYTES = 1024;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    // C0 and C1 controls (NUL among them): PostgreSQL refuses NUL in text, and no legacy id holds one.
    private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x1f\\x7f-\\x9f]");

    private Ids() {
    }

    public static boolean valid(String value) {
        return value != null && ID.matcher(value).matches();
    }

    /** Whether {@code value} can name an existing image: non-empty, bounded, no control characters, well-formed. */
    public static boolean validLookup(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_LOOKUP_BYTES || CONTROL.matcher(value).find()) {
            return false;
        }
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        return utf8.length <= MAX_LOOKUP_BYTES && new String(utf8, StandardCharsets.UTF_8).equals(value);
    }

    /** Returns {@code value} when it is a valid id; throws a 400 naming {@code field} otherwise. */
    public static String require(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new ApiException(ErrorCode.MISSING_FIELD, field + " is required");
        }
        if (!valid(value)) {
            throw new ApiException(ErrorCode.INVALID_ID, field + " must match [A-Za-z0-9_-]{1,64}");
        }
        return value;
    }

    /** Returns {@code value} when it can name an existing image (see {@link #validLookup}); a 400 otherwise. */
    public static String requireLookup(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new ApiException(ErrorCode.MISSING_FIELD, field + " is required");
        }
        if (!validLookup(value)) {
            throw new ApiException(ErrorCode.INVALID_ID, field + " must be 1 to " + MAX_LOOKUP_BYTES
                    + " bytes of UTF-8 without control characters");
        }
        return value;
    }

    /** Like {@link #requireLookup} for optional filters: null and empty mean absent. */
    public static String optionalLookup(String field, String value) {
        return value == null || value.isEmpty() ? null : requireLookup(field, value);
    }

    /**
     * {@code id} as one percent-encoded URL path segment: only unreserved characters stay, and dots are encoded too,
     * so that an id such as {@code ..} or {@code a/b} never becomes a path step.
     */
    public static String pathSegment(String id) {
        StringBuilder out = new StringBuilder(id.length());
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '~')) {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 15, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 15, 16)));
            }
        }
        return out.toString();
    }

    /** Like {@link #require} for optional fields: null and empty mean absent. */
    public static String optional(String field, String value) {
        return value == null || value.isEmpty() ? null : require(field, value);
    }
}
