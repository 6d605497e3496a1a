package io.zinteract.images.image.intake;

import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;

/**
 * Why bytes that start like an image are not one this service will store: each kind has its own {@link ErrorCode},
 * so a client can tell a cut-off upload from a decompression bomb or a polyglot.
 */
public final class ImageDefect extends RuntimeException {

    public enum Kind {
        TRUNCATED(ErrorCode.IMAGE_TRUNCATED),
        NO_DIMENSIONS(ErrorCode.IMAGE_DIMENSIONS_MISSING),
        TOO_MANY_PIXELS(ErrorCode.IMAGE_TOO_MANY_PIXELS),
        TRAILING_DATA(ErrorCode.IMAGE_TRAILING_DATA),
        MALFORMED(ErrorCode.IMAGE_MALFORMED);

        private final ErrorCode code;

        Kind(ErrorCode code) {
            this.code = code;
        }

        public ErrorCode code() {
            return code;
        }
    }

    private final Kind kind;

    public ImageDefect(Kind kind, String detail) {
        super(detail, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** The answer to a client that sent this image. */
    public ApiException problem() {
        return new ApiException(kind.code(), getMessage());
    }

    /** {@code KIND: detail}, for reports and logs. */
    public String reason() {
        return kind.code().name() + ": " + getMessage();
    }
}
