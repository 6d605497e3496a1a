package io.zinteract.images.support.profile;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;
import java.util.Map;

/**
 * The migration tests' settings ({@link MigrationProfile}) with the store behind a {@link S3TestProxy}
 * ({@link FaultyStorageResource#faults()}): retries, breaker delay and probes shortened, counts as in production.
 */
public class FaultyMigrationProfile implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return ProfileGuard.guarded(this, new TestResourceEntry(FaultyStorageResource.class));
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Profiles.merge(Map.of(
                "images.enable-r2-storage", "false",
                // Migrated images would get eager variants in the background, racing the tests' counts of the bucket.
                "variants.eager", "false",
                "CircuitBreaker/delay", "500",
                "migration.probe-interval", "PT0.2S",
                "migration.probe-timeout", "PT1S",
                "migration.events-interval", "PT0.1S",
                "migration.batch-timeout", "PT60S"));
    }
}
