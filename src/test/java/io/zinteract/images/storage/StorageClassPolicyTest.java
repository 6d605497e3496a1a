package io.zinteract.images.storage;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Images reach Infrequent Access at exactly R2_IA_AFTER_DAYS days of age, and never when it is empty. */
class StorageClassPolicyTest {

    static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void imagesOlderThanTheSettingGoToInfrequentAccess() {
        StorageClassPolicy policy = new StorageClassPolicy(OptionalInt.of(30), CLOCK);
        long thirtyDaysAgo = NOW.minus(Duration.ofDays(30)).getEpochSecond();
        assertEquals("STANDARD_IA", policy.storageClassFor(thirtyDaysAgo));
        assertEquals("STANDARD_IA", policy.storageClassFor(1_718_000_001L), "a 2024 legacy row");
        assertEquals("STANDARD", policy.storageClassFor(thirtyDaysAgo + 1));
        assertEquals("STANDARD", policy.storageClassFor(NOW.getEpochSecond()));
    }

    @Test
    void zeroDaysSendsEverythingAndNoSettingNothing() {
        assertEquals("STANDARD_IA", new StorageClassPolicy(OptionalInt.of(0), CLOCK).storageClassFor(NOW.getEpochSecond()));
        assertEquals("STANDARD", new StorageClassPolicy(OptionalInt.empty(), CLOCK).storageClassFor(0));
    }
}
