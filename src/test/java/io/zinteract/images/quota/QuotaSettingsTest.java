package io.zinteract.images.quota;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A negative cap stops the start with one line naming its variable; 0 (off) and positive caps start. */
class QuotaSettingsTest {

    static QuotaConfig config(long sessionImages, long sessionBytes, long personaImages, long personaBytes,
            long generations) {
        return new QuotaConfig() {
            public long sessionImages() {
                return sessionImages;
            }

            public long sessionBytes() {
                return sessionBytes;
            }

            public long personaImages() {
                return personaImages;
            }

            public long personaBytes() {
                return personaBytes;
            }

            public long sessionGenerationsPerDay() {
                return generations;
            }
        };
    }

    static String problem(QuotaConfig config) {
        return new QuotaSettings(config).problem();
    }

    @Test
    void offAndPositiveCapsStart() {
        assertNull(problem(config(0, 0, 0, 0, 0)));
        assertNull(problem(config(1, 10_000_000_000L, 50, 1, 20)));
    }

    @Test
    void eachNegativeCapNamesItsVariable() {
        String tail = "; a quota is 0 (off) or a positive number";
        assertEquals("QUOTA_SESSION_IMAGES is -1" + tail, problem(config(-1, 0, 0, 0, 0)));
        assertEquals("QUOTA_SESSION_BYTES is -5" + tail, problem(config(0, -5, 0, 0, 0)));
        assertEquals("QUOTA_PERSONA_IMAGES is -1" + tail, problem(config(0, 0, -1, 0, 0)));
        assertEquals("QUOTA_PERSONA_BYTES is -1" + tail, problem(config(0, 0, 0, -1, 0)));
        assertEquals("QUOTA_SESSION_GENERATIONS_PER_DAY is -2" + tail, problem(config(0, 0, 0, 0, -2)));
    }
}
