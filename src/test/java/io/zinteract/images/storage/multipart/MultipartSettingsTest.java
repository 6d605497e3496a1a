package io.zinteract.images.storage.multipart;

import io.zinteract.images.support.FakeSettings;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Multipart sizes outside R2's limits are refused with one line that names the variable to fix. */
class MultipartSettingsTest {

    private static String problem(FakeSettings s) {
        return new MultipartSettings(s.service()).problem();
    }

    @Test
    void sizesOutsideRsLimitsAreRefused() {
        Map<FakeSettings, String> cases = new LinkedHashMap<>();
        cases.put(new FakeSettings().with("MULTIPART_THRESHOLD", "1048576"),
                "MULTIPART_THRESHOLD must be between 5242880 (5 MiB) and 5368709120 (5 GiB, R2's limit for one PUT)");
        cases.put(new FakeSettings().with("MULTIPART_PART_SIZE", "1048576"),
                "MULTIPART_PART_SIZE must be between 5242880 (5 MiB) and 5368709120 (5 GiB), R2's part limits");
        cases.put(new FakeSettings().with("MULTIPART_PART_SIZE", "6000000000"),
                "MULTIPART_PART_SIZE must be between 5242880 (5 MiB) and 5368709120 (5 GiB), R2's part limits");
        cases.forEach((settings, expected) -> assertEquals(expected, problem(settings)));

        assertNull(problem(new FakeSettings()));
        assertNull(problem(new FakeSettings().with("MULTIPART_THRESHOLD", "5242880").with("MULTIPART_PART_SIZE", "5242880")));
    }
}
