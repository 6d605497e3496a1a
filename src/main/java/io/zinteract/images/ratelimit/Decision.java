package io.zinteract.images.ratelimit;

import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;

/**
 * What one bucket said about one request, and the headers of draft-ietf-httpapi-ratelimit-headers that tell the
 * client about it: {@code RateLimit-Policy: "generate";q=10;w=60} and {@code RateLimit: "generate";r=3;t=42}.
 *
 * @param scope whose bucket: {@code address}, {@code session}, {@code participant} or {@code all-clients}
 * @param remaining tokens left after this request; -1 when unknown (the bucket store failed and the request passed)
 * @param resetSeconds seconds until the bucket is full again (refused: until a token is back)
 */
record Decision(Limit limit, LimitSpec spec, String scope, boolean allowed, long remaining, long resetSeconds) {

    static Decision of(Limit limit, LimitSpec spec, String scope, ConsumptionProbe probe) {
        long nanos = probe.isConsumed() ? probe.getNanosToWaitForReset() : probe.getNanosToWaitForRefill();
        return new Decision(limit, spec, scope, probe.isConsumed(), probe.getRemainingTokens(), seconds(nanos));
    }

    /** A peek: allowed when a token could be taken; nothing was taken. */
    static Decision of(Limit limit, LimitSpec spec, String scope, EstimationProbe probe) {
        return new Decision(limit, spec, scope, probe.canBeConsumed(), probe.getRemainingTokens(),
                seconds(probe.getNanosToWaitForRefill()));
    }

    /** The store could not be asked: the request passes (fail-open) and no headers are sent. */
    static Decision unknown(Limit limit, LimitSpec spec, String scope) {
        return new Decision(limit, spec, scope, true, -1, 0);
    }

    /** Whole seconds, rounded up: a client that waits this long finds a token. */
    static long seconds(long nanos) {
        return nanos <= 0 ? 0 : (nanos + 999_999_999L) / 1_000_000_000L;
    }

    long retryAfterSeconds() {
        return Math.max(1, resetSeconds);
    }

    boolean known() {
        return remaining >= 0;
    }

    String policyHeader() {
        return "\"" + limit.wire() + "\";q=" + spec.capacity() + ";w=" + spec.windowSeconds();
    }

    String rateLimitHeader() {
        return "\"" + limit.wire() + "\";r=" + Math.max(0, remaining) + ";t=" + (allowed ? resetSeconds : retryAfterSeconds());
    }
}
