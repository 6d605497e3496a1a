package io.zinteract.images.ratelimit;

import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;

import java.util.LinkedHashMap;
import java.util.Map;

/** A request refused by a bucket: 429 {@code RATE_LIMITED} or 503 {@code PROVIDER_BUSY}, with its headers. */
public class RateLimitedException extends ApiException {

    private final transient Decision decision;

    RateLimitedException(ErrorCode code, Decision decision) {
        super(code, detail(code, decision), members(decision));
        this.decision = decision;
    }

    Decision decision() {
        return decision;
    }

    static String detail(ErrorCode code, Decision d) {
        if (code == ErrorCode.PROVIDER_BUSY) {
            return "the service has made its " + d.spec().capacity() + " image provider calls of the last "
                    + d.spec().windowSeconds() + " s (all clients together); retry in " + d.retryAfterSeconds() + " s";
        }
        return "more than " + d.spec().capacity() + " requests per " + d.spec().windowSeconds() + " s on the "
                + d.limit().wire() + " limit from this " + d.scope() + "; retry in " + d.retryAfterSeconds() + " s";
    }

    static Map<String, Object> members(Decision d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("limit", d.limit().wire());
        m.put("scope", d.scope());
        m.put("retryAfterSeconds", d.retryAfterSeconds());
        return m;
    }
}
