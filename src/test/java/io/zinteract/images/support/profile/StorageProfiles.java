package io.zinteract.images.support.profile;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;
import java.util.Map;

/** Profiles of the storage features: large images (multipart), SSE-C and storage classes. */
public final class StorageProfiles {

    /** 6 MiB threshold and R2's smallest part size, so a 17 MiB image is a 4-part upload. */
    public static final long THRESHOLD = 6L * 1024 * 1024;
    public static final long PART_SIZE = 5L * 1024 * 1024;
    static final Map<String, String> SMALL_MULTIPART = Map.of(
            "images.enable-r2-storage", "true",
            "images.multipart.threshold", Long.toString(THRESHOLD),
            "images.multipart.part-size", Long.toString(PART_SIZE),
            "images.max-image-bytes", Long.toString(32L * 1024 * 1024),
            "quarkus.http.limits.max-body-size", "40M");

    private StorageProfiles() {
    }

    /** Multipart with small sizes, behind the recording proxy; R2_IA_AFTER_DAYS=0, so every image goes to IA. */
    public static class LargeImages implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return ProfileGuard.guarded(this, new TestResourceEntry(RecordingS3ProxyResource.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            var all = new java.util.HashMap<>(SMALL_MULTIPART);
            all.put("r2.ia-after-days", "0");
            return Profiles.merge(all);
        }
    }

    /** R2_SSE_C_KEY set; the recording proxy demands the key on every object call and strips it for S3Proxy. */
    public static class SseC implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return ProfileGuard.guarded(this, new TestResourceEntry(RecordingS3ProxyResource.class, Map.of("sseC", "true")));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Profiles.merge(SMALL_MULTIPART);
        }
    }

    /** R2 storage behind the recording proxy, default storage classes, for the re-tiering admin action. */
    public static class Tiering implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return ProfileGuard.guarded(this, new TestResourceEntry(RecordingS3ProxyResource.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Profiles.merge(Map.of("images.enable-r2-storage", "true"));
        }
    }

    /**
     * For the packaged application with a small heap (given by the pom's {@code small-heap} failsafe execution):
     * default multipart sizes (100 MiB threshold, 8 MiB parts), images up to 320 MiB, and R2 images streamed through
     * the service so that reads cross its heap too.
     */
    public static class SmallHeap implements QuarkusTestProfile {
        public static final long MAX_IMAGE_BYTES = 320L * 1024 * 1024;

        @Override
        public List<TestResourceEntry> testResources() {
            return ProfileGuard.guarded(this, new TestResourceEntry(S3ProxyResource.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Profiles.merge(Map.of("images.enable-r2-storage", "true", "images.serve.mode", "proxy",
                    "images.max-image-bytes", Long.toString(MAX_IMAGE_BYTES),
                    "quarkus.http.limits.max-body-size", "330M"));
        }
    }
}
