package io.zinteract.images.storage.multipart;

/**
 * How an object of {@code size} bytes is cut into parts for a multipart upload, within R2's rules: every part but the
 * last has the same size of at least 5 MiB, no part is over 5 GiB, and there are at most 10,000 parts. When the
 * configured part size would need more parts than that, the part size grows (in whole MiB) until it does not.
 */
record PartPlan(long size, long partSize, int parts) {

    public static final long MIB = 1024L * 1024;
    public static final long MIN_PART = 5 * MIB;
    public static final long MAX_PART = 5 * 1024 * MIB;
    public static final int MAX_PARTS = 10_000;

    public static PartPlan of(long size, long configuredPartSize) {
        if (size < 1) {
            throw new IllegalArgumentException("nothing to upload");
        }
        if (configuredPartSize < MIN_PART || configuredPartSize > MAX_PART) {
            throw new IllegalArgumentException("part size " + configuredPartSize + " is outside 5 MiB to 5 GiB");
        }
        long partSize = configuredPartSize;
        if (ceilDiv(size, partSize) > MAX_PARTS) {
            partSize = ceilDiv(ceilDiv(size, MAX_PARTS), MIB) * MIB;
        }
        if (partSize > MAX_PART) {
            throw new IllegalArgumentException(size + " bytes do not fit in " + MAX_PARTS + " parts of at most 5 GiB");
        }
        return new PartPlan(size, partSize, (int) ceilDiv(size, partSize));
    }

    /** Offset of part {@code number} (1-based) in the object. */
    public long offset(int number) {
        return (number - 1) * partSize;
    }

    /** Length of part {@code number} (1-based): the part size, except for the last part. */
    public long length(int number) {
        return Math.min(partSize, size - offset(number));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
