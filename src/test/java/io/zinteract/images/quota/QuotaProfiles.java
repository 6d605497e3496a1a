package io.zinteract.images.quota;

import io.zinteract.images.support.profile.Profiles;
import io.zinteract.images.support.profile.ProfileGuard;
import io.zinteract.images.support.profile.PostgresResource;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.support.server.ScriptedProviderServer;

import java.util.List;
import java.util.Map;

/**
 * Profiles of the quota tests. The caps are set from the sizes of two fixed images, so that a test can fill a bytes
 * cap to the last byte: {@link #SMALL} for image counts (three of them stay far below every bytes cap), {@link #BIG}
 * for bytes (larger than the image {@link ScriptedProviderServer} generates, so two generations fit a session).
 */
public final class QuotaProfiles {

    public static final byte[] SMALL = TestImages.png(8, 8, 1);
    public static final byte[] BIG = TestImages.png(96, 96, 3);
    public static final long SESSION_IMAGES = 3;
    public static final long SESSION_BYTES = 2L * BIG.length;
    public static final long PERSONA_IMAGES = 4;
    public static final long PERSONA_BYTES = 3L * BIG.length;
    public static final long GENERATIONS_PER_DAY = 2;

    private QuotaProfiles() {
    }

    static Map<String, String> caps() {
        return Map.of("quota.session-images", Long.toString(SESSION_IMAGES),
                "quota.session-bytes", Long.toString(SESSION_BYTES),
                "quota.persona-images", Long.toString(PERSONA_IMAGES),
                "quota.persona-bytes", Long.toString(PERSONA_BYTES),
                "quota.session-generations-per-day", Long.toString(GENERATIONS_PER_DAY));
    }

    /** Every cap on, R2 storage on, and the overrides of the generation profile. */
    static Map<String, String> capsWithR2() {
        var all = Profiles.merge(caps());
        all.put("images.enable-r2-storage", "true");
        return all;
    }

    /** Every cap on, R2 storage on, the scripted provider (which also serves the ingest tests' URLs) on SQLite. */
    public static class Caps extends Profiles.GenerationWithR2 {
        @Override
        public Map<String, String> getConfigOverrides() {
            return capsWithR2();
        }
    }

    /** The same on PostgreSQL, where the decisions are serialized by advisory locks. */
    public static class PostgresCaps implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return ProfileGuard.guarded(this, new TestResourceEntry(PostgresResource.class),
                    new TestResourceEntry(ScriptedProviderServer.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return capsWithR2();
        }
    }
}
