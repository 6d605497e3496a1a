package io.zinteract.images.ratelimit;

import io.zinteract.images.support.profile.S3ProxyResource;
import io.zinteract.images.support.profile.Profiles;
import io.zinteract.images.support.profile.ProfileGuard;
import io.zinteract.images.support.server.ScriptedProviderServer;
import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Profiles of the rate limit tests: R2 storage, the scripted provider, and small capacities over an hour, so that
 * no bucket refills while a test runs and every count is exact.
 */
public final class RateLimitProfiles {

    private RateLimitProfiles() {
    }

    abstract static class Limited implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return ProfileGuard.guarded(this, new TestResourceEntry(S3ProxyResource.class),
                    new TestResourceEntry(ScriptedProviderServer.class));
        }

        abstract Map<String, String> limits();

        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> all = new HashMap<>(Profiles.merge(Map.of("images.enable-r2-storage", "true")));
            all.put("rate-limit.enabled", "true");
            all.putAll(limits());
            return all;
        }
    }

    /** Behind a trusted gateway (TRUST_PROXY=true): X-Forwarded-For names the client. */
    public static class Trusted extends Limited {
        public static final int GENERATE = 3;
        public static final int INGEST = 2;
        public static final int UPLOADS = 2;
        public static final int PRESIGN = 2;
        public static final int ADMIN_FAILURES = 3;

        @Override
        Map<String, String> limits() {
            return Map.of("rate-limit.generate", GENERATE + "/PT1H", "rate-limit.ingest", INGEST + "/PT1H",
                    "rate-limit.uploads", UPLOADS + "/PT1H", "rate-limit.presign", PRESIGN + "/PT1H",
                    "rate-limit.admin-failures", ADMIN_FAILURES + "/PT1H", "rate-limit.provider-calls", "off",
                    "quarkus.http.proxy.proxy-address-forwarding", "true",
                    "quarkus.http.proxy.allow-x-forwarded", "true", "quarkus.http.proxy.allow-forwarded", "true");
        }
    }

    /**
     * No gateway trusted (TRUST_PROXY=false, the default): forwarded headers name nobody. Generation is limited only by
     * the ceiling of provider calls for all clients.
     */
    public static class Untrusted extends Limited {
        public static final int UPLOADS = 2;
        public static final int PROVIDER_CALLS = 3;

        @Override
        Map<String, String> limits() {
            return Map.of("rate-limit.uploads", UPLOADS + "/PT1H", "rate-limit.generate", "off",
                    "rate-limit.provider-calls", PROVIDER_CALLS + "/PT1H");
        }
    }
}
