package io.zinteract.images.support.profile;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;
import java.util.Map;

/** Profiles of the variant tests. */
public final class VariantProfiles {

    private VariantProfiles() {
    }

    /** R2 storage, redirects to presigned URLs, variants made eagerly after every store. */
    public static class Eager implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return ProfileGuard.guarded(this, new TestResourceEntry(S3ProxyResource.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            var all = Profiles.merge(Map.of("images.enable-r2-storage", "true"));
            all.put("variants.eager", "true");
            return all;
        }
    }

    /** R2 storage, bytes streamed through the service, variants made only when first asked for. */
    public static class Lazy implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return ProfileGuard.guarded(this, new TestResourceEntry(S3ProxyResource.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Profiles.merge(Map.of("images.enable-r2-storage", "true", "images.serve.mode", "proxy"));
        }
    }
}
