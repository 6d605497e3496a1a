package io.zinteract.images.quota;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Optional caps on what one session or persona may store and generate (README, "Quotas"). Every cap is off by
 * default: {@code 0} means unlimited. Counts are read from the database, so every replica enforces the same cap and a
 * restart changes nothing. The environment variables are the keys' standard names ({@code quota.session-images} is
 * {@code QUOTA_SESSION_IMAGES}).
 */
@ConfigMapping(prefix = "quota")
public interface QuotaConfig {

    /** Most images one {@code sessionId} may hold ({@code QUOTA_SESSION_IMAGES}); 0: unlimited. */
    @WithDefault("0")
    long sessionImages();

    /** Most bytes of images one {@code sessionId} may hold ({@code QUOTA_SESSION_BYTES}); 0: unlimited. */
    @WithDefault("0")
    long sessionBytes();

    /** Most images one {@code personaId} may hold, over all sessions ({@code QUOTA_PERSONA_IMAGES}); 0: unlimited. */
    @WithDefault("0")
    long personaImages();

    /** Most bytes of images one {@code personaId} may hold ({@code QUOTA_PERSONA_BYTES}); 0: unlimited. */
    @WithDefault("0")
    long personaBytes();

    /**
     * Most generations one {@code sessionId} may ask for per UTC calendar day ({@code QUOTA_SESSION_GENERATIONS_PER_DAY});
     * 0: unlimited. A generation counts when the provider is about to be called, whatever it answers.
     */
    @WithDefault("0")
    long sessionGenerationsPerDay();
}
