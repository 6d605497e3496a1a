package io.zinteract.images.ratelimit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** One limit's setting: {@code capacity} requests per {@code period}. */
record LimitSpec(long capacity, Duration period) {

    /**
     * Parses {@code <count>/<ISO-8601 period>}; null for {@code off} or a count of 0 (the limit is off).
     *
     * @throws IllegalArgumentException with a message fit for the start-up line
     */
    static LimitSpec parse(String value) {
        String v = value == null ? "" : value.trim();
        if (v.equalsIgnoreCase("off") || v.equals("0")) {
            return null;
        }
        int slash = v.indexOf('/');
        if (slash < 1) {
            throw new IllegalArgumentException("'" + v + "' is not <count>/<period>, e.g. 10/PT1M, or off");
        }
        long capacity;
        Duration period;
        try {
            capacity = Long.parseLong(v.substring(0, slash).trim());
            period = Duration.parse(v.substring(slash + 1).trim().toUpperCase(Locale.ROOT));
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException("'" + v + "' is not <count>/<period>, e.g. 10/PT1M, or off");
        }
        if (capacity == 0) {
            return null;
        }
        if (capacity < 0 || capacity > 1_000_000) {
            throw new IllegalArgumentException("'" + v + "': the count must be from 0 to 1000000");
        }
        if (period.compareTo(Duration.ofSeconds(1)) < 0 || period.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("'" + v + "': the period must be from PT1S to P1D");
        }
        return new LimitSpec(capacity, period);
    }

    /**
     * The whole allowance returns at once each period ("q per w", as the RateLimit-Policy header states it), rather
     * than a token every period/q: a client reads one number and one window, and the tests can count exactly.
     */
    BucketConfiguration bucket() {
        return BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(capacity).refillIntervally(capacity, period).build())
                .build();
    }

    long windowSeconds() {
        return Math.max(1, period.toSeconds());
    }

    @Override
    public String toString() {
        return capacity + "/" + period;
    }
}
