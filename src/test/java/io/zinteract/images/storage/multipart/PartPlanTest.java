package io.zinteract.images.storage.multipart;

import org.junit.jupiter.api.Test;

import static io.zinteract.images.storage.multipart.PartPlan.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** R2's multipart rules: equal parts of at least 5 MiB but the last, at most 10,000 parts, none over 5 GiB. */
class PartPlanTest {

    @Test
    void partsAreEqualButTheLastAndCoverTheObjectExactly() {
        long size = 17 * MIB + 12_345;
        PartPlan plan = PartPlan.of(size, 5 * MIB);
        assertEquals(4, plan.parts());
        long covered = 0;
        for (int n = 1; n <= plan.parts(); n++) {
            assertEquals(covered, plan.offset(n));
            if (n < plan.parts()) {
                assertEquals(5 * MIB, plan.length(n));
            }
            covered += plan.length(n);
        }
        assertEquals(size, covered);
        assertEquals(2 * MIB + 12_345, plan.length(4));
    }

    @Test
    void anExactMultipleHasNoShortLastPart() {
        PartPlan plan = PartPlan.of(24 * MIB, 8 * MIB);
        assertEquals(3, plan.parts());
        assertEquals(8 * MIB, plan.length(3));
    }

    @Test
    void thePartSizeGrowsInWholeMibWhenTenThousandPartsWouldNotDo() {
        long size = 100_000 * MIB + 1;
        PartPlan plan = PartPlan.of(size, 5 * MIB);
        assertTrue(plan.parts() <= PartPlan.MAX_PARTS, "parts: " + plan.parts());
        assertEquals(11 * MIB, plan.partSize(), "the smallest whole MiB that fits in 10,000 parts");
        assertEquals(0, plan.partSize() % MIB);
        assertEquals(size, plan.offset(plan.parts()) + plan.length(plan.parts()));
        assertEquals(PartPlan.MAX_PARTS, PartPlan.of(10_000 * 5 * MIB, 5 * MIB).parts(), "exactly 10,000 needs no growth");
        assertEquals(5 * MIB, PartPlan.of(10_000 * 5 * MIB, 5 * MIB).partSize());
    }

    @Test
    void sizesOutsideR2sLimitsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> PartPlan.of(10 * MIB, 4 * MIB));
        assertThrows(IllegalArgumentException.class, () -> PartPlan.of(10 * MIB, PartPlan.MAX_PART + 1));
        assertThrows(IllegalArgumentException.class, () -> PartPlan.of(0, 5 * MIB));
        assertThrows(IllegalArgumentException.class, () -> PartPlan.of(PartPlan.MAX_PART * PartPlan.MAX_PARTS + 1, 5 * MIB));
    }
}
