package io.zinteract.images.image;

import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;

import java.util.regex.Pattern;

/** The one rule for ids the API accepts (image, persona, session, participant, table): {@code [A-Za-z0-9_-]{1,64}}. */
public final class Ids {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private Ids() {
    }

    public static boolean valid(String value) {
        return value != null && ID.matcher(value).matches();
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

    /** Like {@link #require} for optional fields: null and empty mean absent. */
    public static String optional(String field, String value) {
        return value == null || value.isEmpty() ? null : require(field, value);
    }
}
