package io.zinteract.images.upload;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A presigned upload URL's lifetime must be one R2 signs: PT1S to P7D. */
class UploadSettingsTest {

    private static String problem(String ttl) {
        return new UploadSettings(new UploadConfig() {
            public Duration presignTtl() {
                return Duration.parse(ttl);
            }

            public Duration completeGrace() {
                return Duration.ofMinutes(10);
            }
        }).problem();
    }

    @Test
    void presignedUploadLimits() {
        String refused = "PRESIGNED_UPLOAD_TTL must be between PT1S and P7D (R2's presign limits)";
        assertEquals(refused, problem("P7DT1S"));
        assertEquals(refused, problem("PT0.5S"));
        assertNull(problem("P7D"));
        assertNull(problem("PT1S"));
        assertNull(problem("PT15M"));
    }
}
