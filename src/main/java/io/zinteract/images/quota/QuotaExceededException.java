package io.zinteract.images.quota;

import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;

import java.util.Map;

/** 429 {@code QUOTA_EXCEEDED}; {@code retryAfterSeconds} is set when the cap resets at a known time. */
public class QuotaExceededException extends ApiException {

    private final Long retryAfterSeconds;

    QuotaExceededException(String detail, Map<String, Object> members, Long retryAfterSeconds) {
        super(ErrorCode.QUOTA_EXCEEDED, detail, members);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Seconds until the cap resets, for {@code Retry-After}; null when only deleting images makes room. */
    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
