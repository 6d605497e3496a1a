package io.zinteract.images.ratelimit;

import io.zinteract.images.config.SettingsCheck;
import jakarta.enterprise.context.ApplicationScoped;

/** A limit that cannot be read stops the start with the variable's name, rather than silently limiting nothing. */
@ApplicationScoped
class RateLimitSettings implements SettingsCheck {

    private final RateLimitConfig config;

    RateLimitSettings(RateLimitConfig config) {
        this.config = config;
    }

    @Override
    public int order() {
        return 450;
    }

    @Override
    public String problem() {
        for (Limit limit : Limit.values()) {
            try {
                LimitSpec.parse(limit.setting(config));
            } catch (IllegalArgumentException e) {
                return limit.env() + ": " + e.getMessage();
            }
        }
        if (config.maxBuckets() < 100) {
            return "RATE_LIMIT_MAX_BUCKETS must be at least 100";
        }
        return null;
    }
}
