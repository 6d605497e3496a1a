package io.zinteract.images.support.profile;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.QuarkusTestProfile.TestResourceEntry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The first test resource of every profile: keeps a profile's settings from outliving a failed start. Quarkus applies
 * a profile's {@code getConfigOverrides()} as JVM system properties and puts them back when the application stops,
 * but when the start fails (a test resource throws, the application refuses its configuration) it never does, so
 * every later profile in the same JVM inherited them: a missing s3rver left {@code cors.origins} set and made
 * {@code ApplicationCorsOffTest} see 403s. Quarkus stops the started resources on both paths; this one then removes
 * each override that still holds the profile's value (after a normal stop Quarkus has already put the old values back,
 * and they are left alone).
 */
public class ProfileGuard implements QuarkusTestResourceLifecycleManager {

    private Map<String, String> overrides = Map.of();

    /** {@code profile}'s test resources, with the guard for its overrides first. */
    public static List<TestResourceEntry> guarded(QuarkusTestProfile profile, TestResourceEntry... resources) {
        List<TestResourceEntry> all = new ArrayList<>();
        all.add(new TestResourceEntry(ProfileGuard.class, Map.copyOf(profile.getConfigOverrides())));
        all.addAll(List.of(resources));
        return all;
    }

    @Override
    public void init(Map<String, String> initArgs) {
        overrides = Map.copyOf(initArgs);
    }

    @Override
    public Map<String, String> start() {
        return Map.of();
    }

    @Override
    public void stop() {
        overrides.forEach((key, value) -> {
            if (value.equals(System.getProperty(key))) {
                System.clearProperty(key);
            }
        });
    }
}
