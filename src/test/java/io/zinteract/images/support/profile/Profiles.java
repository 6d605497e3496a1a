package io.zinteract.images.support.profile;

import io.zinteract.images.support.server.S3ProxyProcess;
import io.zinteract.images.support.server.ScriptedProviderServer;
import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;
import java.util.Map;

/** Test profiles: each starts its own S3Proxy and database, so tests of one setting never see another's data. */
public final class Profiles {

    private Profiles() {
    }

    /** Retries and back-off shortened so failure paths finish in milliseconds; counts stay as in production. */
    static final Map<String, String> FAST_RETRIES = Map.of(
            "Retry/delay", "20",
            "Retry/jitter", "10",
            "ExponentialBackoff/maxDelay", "100");

    abstract static class WithS3Proxy implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return ProfileGuard.guarded(this, new TestResourceEntry(S3ProxyResource.class));
        }
    }

    /** ENABLE_R2_STORAGE=false: new images go to the database as base64. R2 is still configured, as during a migration. */
    public static class Base64Storage extends WithS3Proxy {
        @Override
        public Map<String, String> getConfigOverrides() {
            return merge(Map.of("images.enable-r2-storage", "false"));
        }
    }

    /** ENABLE_R2_STORAGE=true, no public URL: R2 images are served by redirects to presigned URLs. */
    public static class R2Storage extends WithS3Proxy {
        @Override
        public Map<String, String> getConfigOverrides() {
            return merge(Map.of("images.enable-r2-storage", "true", "quarkus.http.proxy.proxy-address-forwarding", "true",
                    "quarkus.http.proxy.allow-x-forwarded", "true", "quarkus.http.proxy.enable-forwarded-host", "true",
                    "quarkus.http.proxy.enable-forwarded-prefix", "true"));
        }
    }

    /**
     * R2 storage served by presigned redirects, with image rows cached for an hour (so that only an invalidation can
     * change an answer) and presigned URLs that live 4 s (so that their reuse for half of that can be watched).
     */
    public static class ServeCache extends WithS3Proxy {
        public static final java.time.Duration PRESIGN_TTL = java.time.Duration.ofSeconds(4);

        @Override
        public Map<String, String> getConfigOverrides() {
            return merge(Map.of("images.enable-r2-storage", "true", "images.serve.cache.ttl", "PT1H",
                    "images.serve.presign-ttl", PRESIGN_TTL.toString()));
        }
    }

    /** R2 storage, images streamed through the service, and a public URL for the {@code url} fields. */
    public static class R2Proxy extends WithS3Proxy {
        public static final String PUBLIC_URL = "https://images.example.test";

        @Override
        public Map<String, String> getConfigOverrides() {
            return merge(Map.of("images.enable-r2-storage", "true", "images.serve.mode", "proxy",
                    "r2.public-url", PUBLIC_URL));
        }
    }

    /** R2 storage with a small MAX_IMAGE_BYTES, so limits can be crossed cheaply. */
    public static class SmallLimit extends WithS3Proxy {
        public static final long MAX_IMAGE_BYTES = 100_000;

        @Override
        public Map<String, String> getConfigOverrides() {
            return merge(Map.of("images.enable-r2-storage", "true", "images.max-image-bytes", Long.toString(MAX_IMAGE_BYTES)));
        }
    }

    /** The service started on a database that z-interact created, with R2 storage off as during the migration. */
    public static class LegacyTakeover implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return ProfileGuard.guarded(this, new TestResourceEntry(LegacyDatabaseResource.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return merge(Map.of("images.enable-r2-storage", "false"));
        }
    }

    /** R2 storage on, with the OpenAI-compatible provider played by {@link ScriptedProviderServer}. */
    public static class GenerationWithR2 implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return ProfileGuard.guarded(this, new TestResourceEntry(S3ProxyResource.class),
                    new TestResourceEntry(ScriptedProviderServer.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return merge(Map.of("images.enable-r2-storage", "true"));
        }
    }

    /** The same provider with R2 storage off: generated images are stored base64. */
    public static class GenerationWithBase64 extends GenerationWithR2 {
        @Override
        public Map<String, String> getConfigOverrides() {
            return merge(Map.of("images.enable-r2-storage", "false"));
        }
    }

    /** No ADMIN_API_KEY configured: admin endpoints must refuse (403) unless explicitly allowed. */
    public static class NoAdminKey implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return ProfileGuard.guarded(this, new TestResourceEntry(S3ProxyResource.class, Map.of("adminKey", "")));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return merge(Map.of("images.enable-r2-storage", "false"));
        }
    }

    /** An R2 endpoint that accepts connections and never answers. */
    public static class BlackholeStorage implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return ProfileGuard.guarded(this, new TestResourceEntry(BlackholeStorageResource.class));
        }
    }

    /** The same service on PostgreSQL (a fresh database) instead of SQLite, R2 storage off. */
    public static class PostgresBase64 implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return ProfileGuard.guarded(this, new TestResourceEntry(PostgresResource.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return merge(Map.of("images.enable-r2-storage", "false"));
        }
    }

    /** PostgreSQL with R2 storage on. */
    public static class PostgresR2 extends PostgresBase64 {
        @Override
        public Map<String, String> getConfigOverrides() {
            return merge(Map.of("images.enable-r2-storage", "true"));
        }
    }

    /**
     * R2 storage behind a {@link S3TestProxy} that tests turn nasty. Breakers are off here: these tests measure what
     * retries alone achieve, and an open breaker would turn a noisy store into fallbacks (the migration tests cover
     * the breaker and the wait that follows it).
     */
    public static class FaultyStorage implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return ProfileGuard.guarded(this, new TestResourceEntry(FaultyStorageResource.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return merge(Map.of("images.enable-r2-storage", "true", "CircuitBreaker/enabled", "false"));
        }
    }

    /**
     * The store is s3rver behind a recording proxy (bucket CORS, which S3Proxy does not implement), and the API
     * allows one browser origin (CORS_ORIGINS).
     */
    public static class BucketCors implements QuarkusTestProfile {
        public static final String APP_ORIGIN = "https://app.example.test";

        @Override
        public List<TestResourceEntry> testResources() {
            return ProfileGuard.guarded(this, new TestResourceEntry(S3rverResource.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return merge(Map.of("cors.origins", APP_ORIGIN));
        }
    }

    /**
     * R2 storage, built with the management interface on (as the container images are), a 2 s idle time-out and a
     * short memory admission wait, set through the names operators use.
     */
    public static class Management extends WithS3Proxy {
        public static final int MANAGEMENT_PORT = S3ProxyProcess.freePort();

        @Override
        public Map<String, String> getConfigOverrides() {
            return merge(Map.of("images.enable-r2-storage", "true", "quarkus.management.enabled", "true",
                    "quarkus.management.test-port", Integer.toString(MANAGEMENT_PORT),
                    "HTTP_IDLE_TIMEOUT", "PT2S", "MEMORY_ADMISSION_WAIT", "PT0.5S"));
        }
    }

    /**
     * Also turns eager variants off: they would add objects and CPU behind the back of tests of other features. The
     * variant tests turn them on ({@link VariantProfiles}).
     */
    public static Map<String, String> merge(Map<String, String> overrides) {
        var all = new java.util.HashMap<>(FAST_RETRIES);
        all.put("variants.eager", "false");
        all.putAll(overrides);
        return all;
    }
}
