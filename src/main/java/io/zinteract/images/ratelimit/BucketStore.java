package io.zinteract.images.ratelimit;

import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;

/** Where the token buckets live: in this process, or in PostgreSQL for all replicas. */
interface BucketStore {

    /** Takes one token from the bucket {@code key} of {@code spec} (created full when new). */
    ConsumptionProbe consume(String key, LimitSpec spec);

    /** Whether one token could be taken, without taking it. */
    EstimationProbe peek(String key, LimitSpec spec);

    /** True when calls do I/O and must run off the event loop. */
    boolean blocking();
}
