package io.zinteract.images.image.serve;

import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;

import java.util.Map;
import java.util.Optional;

/**
 * A single {@code bytes=} range resolved against a known length (RFC 9110 §14). Several ranges, or a header of
 * another unit, are ignored and the whole image is served, which the RFC allows.
 */
public record ByteRange(long start, long end) {

    public long length() {
        return end - start + 1;
    }

    /** The range as a request header, for the store: always one satisfiable {@code bytes=start-end}. */
    public String header() {
        return "bytes=" + start + "-" + end;
    }

    public String contentRange(long total) {
        return "bytes " + start + "-" + end + "/" + total;
    }

    /** Empty when the whole representation should be served; 416 problem when the range lies outside it. */
    public static Optional<ByteRange> parse(String header, long total) {
        if (header == null || !header.startsWith("bytes=") || header.indexOf(',') >= 0) {
            return Optional.empty();
        }
        String spec = header.substring("bytes=".length()).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return Optional.empty();
        }
        try {
            String first = spec.substring(0, dash).trim();
            String last = spec.substring(dash + 1).trim();
            if (first.isEmpty()) {
                long suffix = Long.parseLong(last);
                if (suffix <= 0) {
                    throw unsatisfiable(total);
                }
                return Optional.of(new ByteRange(Math.max(0, total - suffix), total - 1));
            }
            long start = Long.parseLong(first);
            long end = last.isEmpty() ? total - 1 : Math.min(Long.parseLong(last), total - 1);
            if (start >= total || end < start) {
                throw unsatisfiable(total);
            }
            return Optional.of(new ByteRange(start, end));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static ApiException unsatisfiable(long total) {
        return new ApiException(ErrorCode.RANGE_NOT_SATISFIABLE, "the image has " + total + " bytes",
                Map.of("contentRange", "bytes */" + total));
    }
}
