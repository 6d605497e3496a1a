package io.zinteract.images.variant.codec;

/** Why a variant could not be made from an original. */
public final class VariantException extends RuntimeException {

    public enum Reason {
        /** The header declares more pixels than {@link CodecLimits#maxPixels()}; nothing was decoded. */
        TOO_LARGE,
        /** Not an image this codec decodes (unknown or malformed format, AVIF, a decoder error). */
        UNREADABLE,
        /** The deadline passed before the variant was done. */
        TIMED_OUT
    }

    private final Reason reason;

    public VariantException(Reason reason, String detail) {
        this(reason, detail, null);
    }

    public VariantException(Reason reason, String detail, Throwable cause) {
        super(reason + ": " + detail, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
