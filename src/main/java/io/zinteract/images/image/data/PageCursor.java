package io.zinteract.images.image.data;

import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Position in the newest-first listing, handed to clients as an opaque string. */
public record PageCursor(long createdAt, String id) {

    public String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((createdAt + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    public static PageCursor decode(String token) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int colon = raw.indexOf(':');
            String id = raw.substring(colon + 1);
            if (colon < 1 || !Ids.validLookup(id)) {
                throw new IllegalArgumentException();
            }
            return new PageCursor(Long.parseLong(raw.substring(0, colon)), id);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new ApiException(ErrorCode.INVALID_CURSOR, "cursor is not one this service issued");
        }
    }
}
