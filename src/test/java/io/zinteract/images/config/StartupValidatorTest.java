package io.zinteract.images.config;

import io.zinteract.images.support.FakeSettings;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Each unusable service-wide setting is refused with one line that names the variable to fix; the validator reports
 * the first problem of the features' checks in their order. The features' own rules are tested beside them
 * (StorageSettingsTest, UploadSettingsTest, AdminSettingsTest).
 */
class StartupValidatorTest {

    private static ServiceSettings check(FakeSettings s) {
        return new ServiceSettings(s.service(), Long.parseLong(s.get("MAX_REQUEST_BYTES").orElse("67108864")),
                s.get("CORS_ORIGINS").map(v -> List.of(v.split(","))).orElse(List.of()));
    }

    private static String problem(FakeSettings s) {
        return new StartupValidator(List.of(check(s))).firstProblem();
    }

    @Test
    void defaultsStart() {
        assertNull(problem(new FakeSettings()));
    }

    @Test
    void eachBadSettingNamesItsVariable() {
        Map<FakeSettings, String> cases = new LinkedHashMap<>();
        cases.put(new FakeSettings().with("MAX_IMAGE_PIXELS", "0"), "MAX_IMAGE_PIXELS must be at least 1");
        cases.put(new FakeSettings().with("MAX_IMAGE_BYTES", "0"), "MAX_IMAGE_BYTES must be between 1 and 5368709120");
        cases.put(new FakeSettings().with("MAX_IMAGE_BYTES", "6000000000").with("MAX_REQUEST_BYTES", "7000000000"), "MAX_IMAGE_BYTES must be between 1 and 5368709120");
        cases.put(new FakeSettings().with("MAX_IMAGE_BYTES", "67108864"),
                "MAX_REQUEST_BYTES (67108864) must exceed MAX_IMAGE_BYTES by at least 64 KiB of multipart framing");
        cases.put(new FakeSettings().with("CORS_ORIGINS", "https://app.example.com,app.example.com"),
                "CORS_ORIGINS entries must be origins such as https://app.example.com (scheme, host, optional port, no "
                        + "path), * or a /regular expression/; got app.example.com");
        cases.put(new FakeSettings().with("CORS_ORIGINS", "https://app.example.com/path"),
                "CORS_ORIGINS entries must be origins such as https://app.example.com (scheme, host, optional port, no "
                        + "path), * or a /regular expression/; got https://app.example.com/path");
        cases.put(new FakeSettings().with("SQLITE_PATH", " "), "SQLITE_PATH must not be empty");
        cases.put(new FakeSettings().with("IMAGE_CACHE_TTL", "-PT1S"),
                "IMAGE_CACHE_TTL must be between PT0S (no cache) and PT1H");
        cases.put(new FakeSettings().with("IMAGE_CACHE_TTL", "PT2H"),
                "IMAGE_CACHE_TTL must be between PT0S (no cache) and PT1H");
        cases.put(new FakeSettings().with("IMAGE_CACHE_MAX_ENTRIES", "-1"),
                "IMAGE_CACHE_MAX_ENTRIES must be between 0 (no cache) and 1000000");
        cases.forEach((settings, expected) -> assertEquals(expected, problem(settings)));
    }

    @Test
    void corsOriginsThatWork() {
        assertNull(problem(new FakeSettings().with("CORS_ORIGINS",
                "https://app.example.com,http://localhost:5173,/https://.*\\.example\\.com/")));
    }

    @Test
    void theFirstCheckInOrderNamesTheProblem() {
        SettingsCheck late = check("late", 300);
        SettingsCheck early = check("early", 100);
        assertEquals("early", new StartupValidator(List.of(late, early)).firstProblem());
    }

    @Test
    void validateThrowsWithTheSameLine() {
        var e = assertThrows(StartupValidator.InvalidConfigurationException.class,
                () -> new StartupValidator(List.of(check(new FakeSettings().with("SQLITE_PATH", " ")))).validate());
        assertEquals("Invalid configuration: SQLITE_PATH must not be empty", e.getMessage());
    }

    private static SettingsCheck check(String problem, int order) {
        return new SettingsCheck() {
            public String problem() {
                return problem;
            }

            public int order() {
                return order;
            }
        };
    }
}
