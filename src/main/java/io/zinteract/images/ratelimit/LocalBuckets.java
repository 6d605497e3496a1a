package io.zinteract.images.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;

import java.time.Duration;

/**
 * Buckets in this process (SQLite: one replica). Bounded: at most {@code maxBuckets} of all limits together, least recently used
 * dropped first; a bucket untouched for its whole period is dropped too, which changes nothing since it would be
 * full again by then. A restart starts every client with a full bucket.
 */
final class LocalBuckets implements BucketStore {

    private final Cache<String, Bucket> buckets;

    LocalBuckets(int maxBuckets, Duration longestPeriod) {
        this.buckets = Caffeine.newBuilder().maximumSize(maxBuckets).expireAfterAccess(longestPeriod).build();
    }

    private Bucket bucket(String key, LimitSpec spec) {
        return buckets.get(key, k -> Bucket.builder().addLimit(spec.bucket().getBandwidths()[0]).build());
    }

    @Override
    public ConsumptionProbe consume(String key, LimitSpec spec) {
        return bucket(key, spec).tryConsumeAndReturnRemaining(1);
    }

    @Override
    public EstimationProbe peek(String key, LimitSpec spec) {
        return bucket(key, spec).estimateAbilityToConsume(1);
    }

    @Override
    public boolean blocking() {
        return false;
    }

    /** Buckets held now, once pending evictions have run. */
    long size() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }
}
