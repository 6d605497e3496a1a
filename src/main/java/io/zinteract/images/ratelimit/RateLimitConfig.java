package io.zinteract.images.ratelimit;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How often one client may call the endpoints that cost money, fetch URLs or take storage, and how many provider
 * calls all clients together may make. Every limit is written {@code <count>/<ISO-8601 period>}, e.g.
 * {@code 10/PT1M}: at most that many requests per period, the whole allowance coming back at once when the period
 * has passed since the bucket's last refill; {@code off} or {@code 0} switches that one limit off. Each key is read
 * from the environment variable of the same name ({@code rate-limit.generate} from {@code RATE_LIMIT_GENERATE}).
 */
@ConfigMapping(prefix = "rate-limit")
public interface RateLimitConfig {

    /** Master switch ({@code RATE_LIMIT_ENABLED}); {@code false} turns every limit below off. */
    @WithDefault("true")
    boolean enabled();

    /** {@code POST /api/generate-image} per client address, and per session and participant named in the body. */
    @WithDefault("10/PT1M")
    String generate();

    /** {@code POST /api/images/ingest} per client address, and per session and participant named in the body. */
    @WithDefault("30/PT1M")
    String ingest();

    /** {@code POST /api/images} (multipart and raw) per client address, and per session and participant named. */
    @WithDefault("60/PT1M")
    String uploads();

    /** {@code POST /api/images/uploads} (presigned upload creation) per client address, session and participant. */
    @WithDefault("60/PT1M")
    String presign();

    /**
     * Wrong admin keys per client address. Once spent, that address's admin requests are answered 429 (even with the
     * right key) until the period has passed; right keys never spend it.
     */
    @WithDefault("5/PT1M")
    String adminFailures();

    /**
     * Calls to the image provider by all clients of all replicas together ({@code RATE_LIMIT_PROVIDER_CALLS}); when
     * spent, generation answers 503 {@code PROVIDER_BUSY} with {@code Retry-After}.
     */
    @WithDefault("60/PT1M")
    String providerCalls();

    /**
     * Most buckets kept in memory, all limits together, when they live in the process (SQLite); the least recently used are
     * dropped beyond it, so clients inventing addresses or session ids cannot grow the heap: about 500 bytes each
     * (measured), so the default holds at most about 10 MB. An idle bucket is dropped after the longest period anyway.
     */
    @WithDefault("20000")
    int maxBuckets();
}
