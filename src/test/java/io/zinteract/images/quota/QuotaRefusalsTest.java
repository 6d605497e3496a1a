package io.zinteract.images.quota;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Refusals are counted by quota and endpoint; the set of holders already logged stays bounded. */
class QuotaRefusalsTest {

    @Test
    void countsEachRefusalByQuotaAndEndpoint() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        QuotaRefusals refusals = new QuotaRefusals(registry);
        refusals.refuse(Quota.SESSION_IMAGES, "s1", 3, 3, null, QuotaEndpoint.UPLOAD);
        refusals.refuse(Quota.SESSION_IMAGES, "s1", 3, 3, null, QuotaEndpoint.UPLOAD);
        refusals.refuse(Quota.PERSONA_BYTES, "p1", 10, 9, null, QuotaEndpoint.INGEST);
        assertEquals(2, registry.counter("quota.refused", "quota", "session-images", "endpoint", "POST /api/images").count());
        assertEquals(1, registry.counter("quota.refused", "quota", "persona-bytes", "endpoint",
                "POST /api/images/ingest").count());
    }

    @Test
    void aDailyCapSaysWhenToComeBack() {
        Instant midnight = Instant.ofEpochSecond((Instant.now().getEpochSecond() / 86_400 + 1) * 86_400);
        QuotaExceededException e = new QuotaRefusals(new SimpleMeterRegistry()).refuse(Quota.SESSION_GENERATIONS, "s1",
                5, 5, midnight, QuotaEndpoint.GENERATE);
        assertEquals(midnight.toString(), e.extensions().get("resetsAt"));
        long expected = midnight.getEpochSecond() - Instant.now().getEpochSecond();
        assertTrue(Math.abs(e.retryAfterSeconds() - expected) <= 1, e.retryAfterSeconds() + " vs " + expected);
        assertTrue(e.getMessage().contains("resets at " + midnight), e.getMessage());
        QuotaExceededException images = new QuotaRefusals(new SimpleMeterRegistry()).refuse(Quota.PERSONA_IMAGES, "p",
                5, 5, null, QuotaEndpoint.UPLOAD);
        assertNull(images.retryAfterSeconds());
        assertTrue(images.getMessage().contains("deleting images of this persona frees room"), images.getMessage());
    }

    @Test
    void holdersAlreadyLoggedStayBounded() {
        QuotaRefusals refusals = new QuotaRefusals(new SimpleMeterRegistry(), 20);
        for (int i = 0; i < 30; i++) {
            refusals.refuse(Quota.SESSION_BYTES, "s" + i, 1, 1, null, QuotaEndpoint.UPLOAD);
            refusals.refuse(Quota.SESSION_BYTES, "s" + i, 1, 1, null, QuotaEndpoint.UPLOAD);
        }
        assertEquals(20, refusals.loggedHolders(), "30 holders, each refused twice: the 20 most recent are kept");
        refusals.passed(Quota.SESSION_BYTES, "s29");
        assertEquals(19, refusals.loggedHolders(), "a holder that passed again will be logged at its next crossing");
    }
}
