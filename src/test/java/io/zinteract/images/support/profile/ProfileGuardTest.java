package io.zinteract.images.support.profile;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.QuarkusTestProfile.TestResourceEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The guard removes what a profile whose start failed left in the system properties, and only that: a key that
 * Quarkus already put back to another value is left alone. (That Quarkus leaves them set on a failed start was seen
 * with a profile whose test resource throws: the next profile's application answered 403 to cross-origin requests.)
 */
class ProfileGuardTest {

    static final Map<String, String> OVERRIDES = Map.of("guard-test.cors.origins", "https://app.example.test",
            "guard-test.restored", "profile-value");

    static class Failing implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return OVERRIDES;
        }
    }

    @AfterEach
    void clear() {
        OVERRIDES.keySet().forEach(System::clearProperty);
    }

    @Test
    void leftoversOfTheProfileAreRemovedAndRestoredValuesKept() {
        List<TestResourceEntry> resources = ProfileGuard.guarded(new Failing(), new TestResourceEntry(S3rverResource.class));
        assertEquals(ProfileGuard.class, resources.get(0).getClazz(), "the guard comes first");
        assertEquals(OVERRIDES, resources.get(0).getArgs());
        assertEquals(S3rverResource.class, resources.get(1).getClazz());

        OVERRIDES.forEach(System::setProperty); // what Quarkus does before starting the resources
        System.setProperty("guard-test.restored", "value-before-the-profile"); // what its restore does on success
        ProfileGuard guard = new ProfileGuard();
        guard.init(resources.get(0).getArgs());
        guard.start();
        guard.stop();

        assertNull(System.getProperty("guard-test.cors.origins"));
        assertEquals("value-before-the-profile", System.getProperty("guard-test.restored"));
    }
}
