package io.zinteract.images.support.profile;

import java.util.Map;

/**
 * The migration tests' profile: S3Proxy, a database of its own, a public URL (so migrated rows get one and rollback
 * must restore the old one), and fault-tolerance, probe and event intervals shortened so outages resolve in
 * fractions of a second. Counts of retries stay as in production.
 */
public class MigrationProfile extends Profiles.WithS3Proxy {

    public static final String PUBLIC_URL = "https://images.example.test";
    /** Cap on a job's event watchers: MigrationWatchersTest opens exactly this many, then more. */
    public static final int MAX_WATCHERS = 300;
    public static final java.time.Duration EVENTS_HEARTBEAT = java.time.Duration.ofMillis(500);

    @Override
    public Map<String, String> getConfigOverrides() {
        return Profiles.merge(Map.of(
                "images.enable-r2-storage", "false",
                // Migrated images would get eager variants in the background, racing the tests' counts of the bucket.
                "variants.eager", "false",
                "r2.public-url", PUBLIC_URL,
                "CircuitBreaker/delay", "500",
                "migration.probe-interval", "PT0.2S",
                "migration.probe-timeout", "PT1S",
                "migration.events-interval", "PT0.1S",
                "migration.batch-timeout", "PT60S",
                "migration.events-max-watchers", Integer.toString(MAX_WATCHERS),
                "migration.events-heartbeat", EVENTS_HEARTBEAT.toString()));
    }
}
