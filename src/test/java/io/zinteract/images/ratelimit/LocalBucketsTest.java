package io.zinteract.images.ratelimit;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** In-process buckets: exact counts, and a client inventing keys cannot hold more than the bound. */
class LocalBucketsTest {

    @Test
    void inventedKeysStayWithinTheBound() {
        LocalBuckets buckets = new LocalBuckets(100, Duration.ofHours(1));
        LimitSpec spec = new LimitSpec(3, Duration.ofHours(1));
        for (int i = 0; i < 10_000; i++) {
            assertTrue(buckets.consume("uploads|s:invented-" + i, spec).isConsumed());
        }
        assertEquals(100, buckets.size());
    }

    @Test
    void aBucketGivesExactlyItsCapacity() {
        LocalBuckets buckets = new LocalBuckets(100, Duration.ofHours(1));
        LimitSpec spec = new LimitSpec(3, Duration.ofHours(1));
        for (int i = 2; i >= 0; i--) {
            var probe = buckets.consume("generate|4:198.51.100.1", spec);
            assertTrue(probe.isConsumed());
            assertEquals(i, probe.getRemainingTokens());
        }
        var refused = buckets.consume("generate|4:198.51.100.1", spec);
        assertFalse(refused.isConsumed());
        long seconds = Decision.seconds(refused.getNanosToWaitForRefill());
        assertTrue(seconds > 3000 && seconds <= 3600, "a token is back when the hour is over: " + seconds);
        assertFalse(buckets.peek("generate|4:198.51.100.1", spec).canBeConsumed());
        assertTrue(buckets.peek("generate|4:198.51.100.2", spec).canBeConsumed());
    }
}
